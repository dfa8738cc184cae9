"""Durable app pushes: a journal on SQLite, a real HTTP receiver on loopback, no mocks.

A "Rasa process" is one :class:`PushDelivery`; stopping it (``aclose``) or letting it die
(its tasks cancelled, its leases left to run out) and starting another on the same
database must deliver every push exactly once, with its delivery id, in order.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from zhike.channels.app.push import PushConfig, PushDelivery, PushStoreSettings
from zhike.channels.app.push_store import DELIVERED, FAILED, PENDING, PushStore

from .push_helpers import (
    SECRET,
    FakeSleep,
    Receiver,
    Stuck,
    answer,
    crash,
    delivery,
    pusher,
    serve_receiver,
    states,
)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serve_receiver() as state:
        yield state


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'app_push.db'}"


async def test_a_push_pending_at_shutdown_is_delivered_once_by_the_next_process(
    receiver: Receiver, db_url: str
) -> None:
    first_try = iter([503])
    receiver.rule = lambda payload: answer(next(first_try, 200))
    stuck = Stuck()
    old = pusher(receiver.url, db_url, sleep=stuck)
    first = await old.submit(delivery("第1条"))
    await asyncio.wait_for(stuck.waiting.wait(), 5)  # 503: waiting 30 s to retry
    second = await old.submit(delivery("第2条"))
    await old.aclose()  # the Rasa server stops
    assert await states(db_url) == {first: PENDING, second: PENDING}

    sleep = FakeSleep()
    new = pusher(receiver.url, db_url, sleep=sleep)
    await new.start()  # server start: resumes before anything new
    third = await new.submit(delivery("第3条"))
    await new.drain(timeout=5)
    await new.aclose()

    assert receiver.texts("C001") == ["第1条", "第2条", "第3条"]
    assert [p["delivery_id"] for p in receiver.accepted] == [first, second, third]
    assert [p["delivery_id"] for p, _ in receiver.requests] == [first, first, second, third]
    assert 25 < sleep.waits[0] <= 30  # the retry kept its due time
    assert await states(db_url) == {first: DELIVERED, second: DELIVERED, third: DELIVERED}


async def test_a_process_that_died_is_resumed_when_its_lease_runs_out(
    receiver: Receiver, db_url: str
) -> None:
    receiver.rule = lambda payload: answer(503 if len(receiver.requests) == 0 else 200)
    stuck = Stuck()
    dying = pusher(receiver.url, db_url, sleep=stuck, lease=1.0)
    pushed = await dying.submit(delivery("退款已到账"))
    await asyncio.wait_for(stuck.waiting.wait(), 5)

    other = pusher(receiver.url, db_url, lease=1.0)
    await other.start()
    await asyncio.sleep(1.5)  # the dying process still renews its lease: not taken over
    assert len(receiver.requests) == 1

    await crash(dying)  # killed: its lease is not renewed any more
    await receiver.wait_for(2)
    await other.drain(timeout=5)
    await other.aclose()

    assert [(p["delivery_id"], status) for p, status in receiver.requests] == [
        (pushed, 503),
        (pushed, 200),
    ]
    assert await states(db_url) == {pushed: DELIVERED}


@pytest.mark.parametrize("status", [400, 404, 503])
async def test_a_permanent_failure_is_neither_retried_nor_resumed(
    receiver: Receiver, db_url: str, status: int
) -> None:
    receiver.rule = lambda payload: answer(status if payload["customer_id"] == "C001" else 200)
    sleep = FakeSleep()
    push = pusher(receiver.url, db_url, sleep=sleep)
    failed = await push.submit(delivery("一条消息"))
    await push.submit(delivery("下一条"))
    await push.drain(timeout=5)
    await push.aclose()

    attempts = 1 if status < 500 else 4  # a 5xx until max_attempts
    assert len(receiver.requests) == attempts * 2
    assert push.failed == 2 and len(sleep.waits) == (attempts - 1) * 2
    assert set((await states(db_url)).values()) == {FAILED}
    assert (await states(db_url))[failed] == FAILED

    again = pusher(receiver.url, db_url)
    await again.drain(timeout=5)
    await again.aclose()
    assert len(receiver.requests) == attempts * 2  # nothing resumed


async def test_customers_do_not_wait_for_each_other(receiver: Receiver, db_url: str) -> None:
    slow = asyncio.Event()
    failed_once: set[str] = set()

    async def rule(payload: dict[str, Any]) -> int:
        if payload["customer_id"] == "C001":
            await slow.wait()  # the backend hangs on this customer's phone
        text = payload["message"]["text"]
        if text.endswith("#1") and text not in failed_once:  # then fails once for each
            failed_once.add(text)
            return 500
        return 200

    receiver.rule = rule
    push = pusher(receiver.url, db_url)
    for n in range(4):
        for customer in ("C001", "C002", "C003"):
            await push.submit(delivery(f"{customer}#{n}", customer))

    async def others_done() -> None:
        while len(receiver.accepted) < 8:  # C002's and C003's, after a retry
            await asyncio.sleep(0.01)

    await asyncio.wait_for(others_done(), 5)  # while C001's first push still hangs
    assert receiver.texts("C001") == []
    slow.set()
    await push.drain(timeout=5)
    await push.aclose()

    for customer in ("C001", "C002", "C003"):
        assert receiver.texts(customer) == [f"{customer}#{n}" for n in range(4)]
    assert len({p["delivery_id"] for p in receiver.accepted}) == 12
    assert set((await states(db_url)).values()) == {DELIVERED}


async def test_when_the_journal_fails_pushes_carry_on_in_memory(
    receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "app_push.db"
    db_url = f"sqlite+aiosqlite:///{path}"
    push = pusher(receiver.url, db_url, lease=0.3)
    await push.start()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE app_push")  # the journal breaks under the running server
    with caplog.at_level(logging.INFO, logger="zhike.channels.app.push"):
        lost = await push.submit(delivery("秘密内容 13800138001"))
        await push.drain(timeout=5)
        assert receiver.texts("C001") == ["秘密内容 13800138001"]

        # the keeper creates the table again
        await _until(lambda: not push._journal._down)  # type: ignore[union-attr]
        kept = await push.submit(delivery("恢复以后"))
        await push.drain(timeout=5)
    await push.aclose()

    assert receiver.texts("C001") == ["秘密内容 13800138001", "恢复以后"]
    assert "journal failed" in caplog.text and "works again" in caplog.text
    assert "秘密内容" not in caplog.text and "13800138001" not in caplog.text
    rows = await states(db_url)
    assert rows[kept] == DELIVERED
    assert rows.get(lost) in (None, DELIVERED)


async def test_a_journal_that_cannot_be_opened_falls_back_to_memory(
    receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("not a directory")
    push = pusher(receiver.url, f"sqlite+aiosqlite:///{tmp_path / 'file' / 'app_push.db'}")
    with caplog.at_level(logging.WARNING, logger="zhike.channels.app.push"):
        await push.submit(delivery("照样送达"))
        await push.drain(timeout=5)
    await push.aclose()
    assert receiver.texts("C001") == ["照样送达"]
    assert "journal failed" in caplog.text


async def test_old_history_is_pruned_and_pending_rows_are_kept(
    receiver: Receiver, db_url: str
) -> None:
    push = pusher(receiver.url, db_url)
    old = await push.submit(delivery("上周的消息"))
    await push.drain(timeout=5)
    await push.aclose()
    store = PushStore(db_url)  # a pending row of a live process, as old as the other one
    await store.add("waiting", "C009", b"{}", 0.0, "alive", time.time(), 30 * 24 * 3600)
    await store.dispose()

    week_later = PushDelivery(
        PushConfig(receiver.url, SECRET),
        sleep=FakeSleep(),
        clock=lambda: time.time() + 8 * 24 * 3600,
        store=PushStoreSettings(db_url),
    )
    await week_later.start()
    rows = await states(db_url)
    await week_later.drain(timeout=5)
    await week_later.aclose()

    assert old not in rows and rows["waiting"] == PENDING


async def _until(condition: Callable[[], bool], timeout: float = 5) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), timeout)
