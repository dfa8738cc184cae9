"""Background tasks never fail silently: their exceptions are logged, masked."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.unit.channels.app.push_helpers import answer, delivery, serve_receiver
from zhike.channels.app.push import PushConfig, PushDelivery
from zhike.channels.tasks import spawn

PHONE = "13800138000"


async def test_a_failing_task_is_logged_with_its_name_and_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fail() -> None:
        raise ValueError(f"customer {PHONE} could not be reached")

    with caplog.at_level(logging.ERROR, logger="zhike.channels.tasks"):
        task = spawn(fail(), "test work")
        await asyncio.wait({task})
    assert "background task 'test work' failed" in caplog.text
    assert "ValueError" in caplog.text and "138****8000" in caplog.text
    assert PHONE not in caplog.text


async def test_success_and_cancellation_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="zhike.channels.tasks"):
        assert await spawn(asyncio.sleep(0, result=7), "fine") == 7
        stuck = spawn(asyncio.Event().wait(), "stopped")
        await asyncio.sleep(0)
        stuck.cancel()
        await asyncio.gather(stuck, return_exceptions=True)
    assert caplog.text == ""


async def test_a_push_worker_that_dies_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def broken_sleep(seconds: float) -> None:
        raise RuntimeError(f"timer broke while retrying for {PHONE}")

    async with serve_receiver() as receiver:
        receiver.rule = lambda payload: answer(503)
        config = PushConfig(receiver.url, "push-secret-" + "p" * 32, jitter=0, timeout=2)
        push = PushDelivery(config, sleep=broken_sleep)
        with caplog.at_level(logging.ERROR, logger="zhike.channels.tasks"):
            push.enqueue(delivery("您的工单已受理"))
            await receiver.wait_for(1)
            for _ in range(100):
                if "app push worker" in caplog.text:
                    break
                await asyncio.sleep(0.01)
        await push.aclose()
    assert "background task 'app push worker' failed" in caplog.text
    assert "RuntimeError" in caplog.text and "138****8000" in caplog.text
    assert PHONE not in caplog.text
