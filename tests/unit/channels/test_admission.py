"""The admission gate: bounded concurrency, a bounded FIFO wait, refusal past it."""

from __future__ import annotations

import asyncio
import logging

import pytest

from zhike.channels import admission
from zhike.channels.admission import Gate, Limits, Overloaded


async def _hold(gate: Gate, release: asyncio.Event, order: list[int], i: int) -> None:
    async with gate.slot():
        order.append(i)
        await release.wait()


async def _until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_past_inflight_and_queue_a_message_is_refused_at_once() -> None:
    gate = Gate(Limits(max_inflight=2, max_queued=2, max_wait=10))
    release = asyncio.Event()
    order: list[int] = []
    tasks = [asyncio.create_task(_hold(gate, release, order, i)) for i in range(4)]
    await _until(lambda: gate.inflight == 2 and gate.queued == 2)
    with pytest.raises(Overloaded):
        await asyncio.wait_for(gate.acquire(), 1)  # refused, not queued
    assert gate.refused == 1
    release.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3]  # first come, first served
    assert (gate.inflight, gate.queued) == (0, 0)


async def test_a_message_waits_at_most_max_wait() -> None:
    gate = Gate(Limits(max_inflight=1, max_queued=5, max_wait=0.05))
    await gate.acquire()
    with pytest.raises(Overloaded):
        await gate.acquire()
    assert gate.queued == 0
    gate.release()
    await gate.acquire()  # the slot is free again
    gate.release()
    assert gate.inflight == 0


async def test_a_cancelled_waiter_gives_its_place_and_slot_back() -> None:
    gate = Gate(Limits(max_inflight=1, max_queued=5, max_wait=10))
    await gate.acquire()
    waiter = asyncio.create_task(gate.acquire())
    await _until(lambda: gate.queued == 1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert gate.queued == 0
    gate.release()
    assert gate.inflight == 0


async def test_no_queue_means_refused_as_soon_as_all_slots_are_taken() -> None:
    gate = Gate(Limits(max_inflight=1, max_queued=0))
    async with gate.slot():
        with pytest.raises(Overloaded):
            await gate.acquire()
    async with gate.slot():
        pass


def test_limits_come_from_the_environment(caplog: pytest.LogCaptureFixture) -> None:
    env = {"ZHIKE_MAX_INFLIGHT": "4", "ZHIKE_MAX_QUEUED": "0", "ZHIKE_MAX_QUEUE_WAIT": "2.5"}
    assert Limits.from_env(env) == Limits(4, 0, 2.5)
    assert Limits.from_env({}) == Limits(32, 200, 30.0)
    with caplog.at_level(logging.WARNING):
        bad = Limits.from_env({"ZHIKE_MAX_INFLIGHT": "0", "ZHIKE_MAX_QUEUED": "many"})
    assert bad == Limits(32, 200, 30.0)
    assert "ZHIKE_MAX_INFLIGHT" in caplog.text and "ZHIKE_MAX_QUEUED" in caplog.text


def test_the_gate_is_process_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admission, "_gate", None)
    monkeypatch.setenv("ZHIKE_MAX_INFLIGHT", "3")
    assert admission.gate() is admission.gate()
    assert admission.gate().limits.max_inflight == 3


def test_the_http_refusal_says_when_to_retry() -> None:
    response = admission.overloaded_response()
    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    assert b'"error":"overloaded"' in response.body
