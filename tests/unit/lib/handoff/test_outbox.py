"""The outbox: written with the state change, claimed with a lease, in order, retried, dead."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from zhike.lib.handoff import (
    HandoffOutbox,
    HandoffService,
    NotAllowed,
    OutboxItem,
    RetryPolicy,
)

from .conftest import T0

LEASE = timedelta(seconds=30)
POLICY = RetryPolicy(
    first_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=8),
    max_attempts=4,
    max_age=timedelta(hours=1),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(service: HandoffService, clock: Clock) -> HandoffOutbox:
    service.clock = clock
    return HandoffOutbox(service.db, clock=clock, rng=random.Random(7))


async def with_agent(service: HandoffService, sender: str = "u1", agent: str = "a1") -> int:
    cid = (await service.request_handoff(sender, "rest", None, "orders")).conversation_id
    await service.accept(agent, cid, notify_bot=True)
    return cid


async def claim(outbox: HandoffOutbox, owner: str = "d1", limit: int = 10) -> list[OutboxItem]:
    return await outbox.claim(owner, LEASE, limit)


async def test_rows_are_written_with_the_state_change_and_only_when_asked(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    info = await service.accept("a1", cid, notify_bot=True)
    message = await service.append_message(
        cid, "agent", "您好", "k1", agent_id="a1", notify_bot=True
    )
    retried = await service.append_message(
        cid, "agent", "您好", "k1", agent_id="a1", notify_bot=True
    )
    quiet = await service.append_message(cid, "agent", "不通知", "k2")
    user = await service.append_message(cid, "user", "谢谢", "k3", notify_bot=True)
    closed = await service.close(cid, "a1", "resolved", notify_bot=True)
    assert info.outbox_id is not None and message.outbox_id is not None
    assert closed.outbox_id is not None
    assert (retried.created, retried.outbox_id, quiet.outbox_id, user.outbox_id) == (
        False,
        None,
        None,
        None,
    )
    rows = sorted(await outbox.entries(("pending",)), key=lambda e: e.id)
    assert [(e.kind, e.message_seq, e.sender_id, e.attempts) for e in rows] == [
        ("taken_over", None, "u1", 0),
        ("deliver", 1, "u1", 0),
        ("handed_back", None, "u1", 0),
    ]
    assert [e.id for e in rows] == [info.outbox_id, message.outbox_id, closed.outbox_id]
    assert len({e.idempotency_key for e in rows}) == 3


async def test_a_refused_change_writes_no_row(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    cid = await with_agent(service)
    with pytest.raises(NotAllowed):
        await service.append_message(cid, "agent", "抢答", "k1", agent_id="a2", notify_bot=True)
    with pytest.raises(NotAllowed):
        await service.close(cid, "a2", "resolved", notify_bot=True)
    assert [e.kind for e in await outbox.entries(("pending",))] == ["taken_over"]


async def test_only_the_oldest_pending_row_of_a_sender_is_claimed(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    first = await with_agent(service, "u1")
    second = await with_agent(service, "u2", "a2")
    await service.append_message(first, "agent", "一", "k1", agent_id="a1", notify_bot=True)
    items = await claim(outbox)
    assert [(i.conversation.sender_id, i.entry.kind, i.attempt) for i in items] == [
        ("u1", "taken_over", 1),
        ("u2", "taken_over", 1),
    ]
    assert await claim(outbox, "d2") == []  # leased, and the reply waits behind them
    await outbox.settle(items[0], "d1", None, POLICY)
    [reply] = await claim(outbox, "d2")
    assert (reply.entry.kind, reply.message and reply.message.text) == ("deliver", "一")
    assert reply.conversation.id == first and second != first


async def test_a_lease_that_runs_out_is_claimed_again_and_counts_as_a_retry(
    service: HandoffService, outbox: HandoffOutbox, clock: Clock
) -> None:
    await with_agent(service)
    [held] = await claim(outbox, "d1")
    clock.advance(seconds=29)
    assert await claim(outbox, "d2") == []
    clock.advance(seconds=2)  # d1 died holding it
    [again] = await claim(outbox, "d2")
    assert (again.key, again.attempt) == (held.key, 2)
    assert await outbox.settle(held, "d1", None, POLICY) is None  # d1 no longer holds it
    settled = await outbox.settle(again, "d2", None, POLICY)
    assert settled is not None and settled.state == "delivered"
    assert settled.delivered_at == clock.now


async def test_failures_back_off_exponentially_with_jitter_then_die(
    service: HandoffService, outbox: HandoffOutbox, clock: Clock
) -> None:
    await with_agent(service)
    waits = []
    for attempt in range(1, 5):
        [item] = await claim(outbox)
        assert item.attempt == attempt
        info = await outbox.settle(item, "d1", "Rasa server answered HTTP 503", POLICY)
        assert info is not None
        if attempt == 4:
            assert (info.state, info.attempts, info.dead_at) == ("dead", 4, clock.now)
            break
        assert info.state == "pending" and info.last_error == "Rasa server answered HTTP 503"
        wait = info.next_attempt_at - clock.now
        waits.append(wait)
        assert await claim(outbox) == []  # not due yet
        clock.advance(seconds=wait.total_seconds())
    for n, wait in enumerate(waits):
        base = min(timedelta(seconds=2**n), POLICY.max_delay)
        assert base / 2 <= wait <= base
    assert await claim(outbox) == []
    assert (await outbox.counts()) == {"pending": 0, "dead": 1}


async def test_a_row_older_than_the_maximum_age_dies_at_its_next_failure(
    service: HandoffService, outbox: HandoffOutbox, clock: Clock
) -> None:
    await with_agent(service)
    clock.advance(hours=2)
    [item] = await claim(outbox)
    info = await outbox.settle(item, "d1", "TimeoutError", POLICY)
    assert info is not None and (info.state, info.attempts) == ("dead", 1)


async def test_a_dead_row_lets_the_next_one_of_its_sender_go(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    cid = await with_agent(service)
    await service.append_message(cid, "agent", "一", "k1", agent_id="a1", notify_bot=True)
    policy = RetryPolicy(max_attempts=1)
    [head] = await claim(outbox)
    await outbox.settle(head, "d1", "ConnectError", policy)
    [next_one] = await claim(outbox)
    assert next_one.entry.kind == "deliver"


async def test_released_rows_are_due_at_once_and_keep_their_attempt(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    await with_agent(service)
    [item] = await claim(outbox, "d1")
    assert await outbox.release("other", [item.entry.id]) == 0
    assert await outbox.release("d1", [item.entry.id]) == 1
    [again] = await claim(outbox, "d2")
    assert again.attempt == 2


async def test_a_database_from_before_the_outbox_gets_its_table(
    service: HandoffService, outbox: HandoffOutbox
) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    async with service.db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE handoff_outbox"))
    await service.db.create_tables()  # what every start does
    info = await service.accept("a1", cid, notify_bot=True)
    assert (info.state, info.outbox_id) == ("agent", 1)
    assert [e.kind for e in await outbox.entries(("pending",))] == ["taken_over"]


def test_retry_policy_limits() -> None:
    policy = RetryPolicy(first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=5))
    low = random.Random(1)
    assert all(
        timedelta(seconds=1) <= policy.delay(2, low) <= timedelta(seconds=2) for _ in range(20)
    )
    assert policy.delay(1000) <= timedelta(seconds=5)
    assert policy.gives_up(20, timedelta()) and policy.gives_up(1, timedelta(hours=1))
    assert not policy.gives_up(19, timedelta(minutes=59))
    for bad in (
        {"first_delay": timedelta()},
        {"max_delay": timedelta(milliseconds=1)},
        {"max_attempts": 0},
        {"max_age": timedelta()},
    ):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)
