"""The transactional outbox of notifications for the bot's side (session-level).

:func:`enqueue` runs inside the transaction of the state change it reports (accept,
an agent message, close), so a crash after the commit loses nothing. A dispatcher
claims due rows with a lease (:func:`claim`), delivers them and records each outcome
(:func:`settle`). Rows of one sender (one Rasa conversation) go out strictly in ``id``
order: only the oldest pending row of a sender can be claimed. That order is the commit
order, because every writer holds the conversation's row lock when it inserts.

Claiming works on SQLite (writers are serialized by ``BEGIN IMMEDIATE``) and PostgreSQL
(``SELECT ... FOR UPDATE SKIP LOCKED``): two dispatchers never hold the same row.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from zhike.lib.handoff.config import RetryPolicy
from zhike.lib.handoff.errors import InvalidInput, NotFound
from zhike.lib.handoff.models import (
    DEAD,
    DELIVER,
    DELIVERED,
    OUTBOX_KINDS,
    OUTBOX_STATES,
    PENDING,
    Conversation,
    Message,
    OutboxEntry,
)
from zhike.lib.handoff.results import ConversationInfo, OutboxInfo, OutboxItem, StoredMessage

MAX_ERROR = 200


async def enqueue(
    session: AsyncSession,
    conversation_id: int,
    kind: str,
    now: datetime,
    message: StoredMessage | None = None,
) -> int:
    """Adds a pending notification for the conversation's sender; returns its id.

    Call it in the transaction that changes the conversation, after locking its row.
    """
    if kind not in OUTBOX_KINDS or (kind == DELIVER) != (message is not None):
        raise InvalidInput(f"bad outbox notification {kind!r}", "invalid_outbox_kind")
    row = await session.get(Conversation, conversation_id)
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found", "conversation_not_found")
    entry = OutboxEntry(
        conversation_id=row.id,
        sender_id=row.sender_id,
        kind=kind,
        message_id=message.id if message is not None else None,
        message_seq=message.seq if message is not None else None,
        idempotency_key=f"zo-{uuid.uuid4().hex}",
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    return int(entry.id)


def _due(now: datetime) -> list[Any]:
    return [
        OutboxEntry.state == PENDING,
        OutboxEntry.next_attempt_at <= now,
        or_(OutboxEntry.locked_until.is_(None), OutboxEntry.locked_until <= now),
    ]


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """Whether some row may be claimable (a cheap read before a claiming transaction)."""
    found = await session.execute(select(OutboxEntry.id).where(*_due(now)).limit(1))
    return found.first() is not None


async def claim(
    session: AsyncSession, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[OutboxItem]:
    """Leases up to ``limit`` due rows to ``owner``, each the oldest pending of its sender.

    A row is due when pending, ``next_attempt_at <= now`` and not leased (or its lease
    ran out: its holder died). Claiming counts the attempt, so a row whose holder died
    mid-send is known to be a retry.
    """
    older = aliased(OutboxEntry)
    blocked = (
        exists()
        .where(
            older.sender_id == OutboxEntry.sender_id,
            older.state == PENDING,
            older.id < OutboxEntry.id,
        )
        .correlate(OutboxEntry)
    )
    rows = (
        (
            await session.execute(
                select(OutboxEntry)
                .where(*_due(now), ~blocked)
                .order_by(OutboxEntry.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=OutboxEntry)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    items = []
    for row in rows:
        row.attempts = (row.attempts or 0) + 1
        row.locked_by = owner
        row.locked_until = now + lease
        row.updated_at = now
        items.append(await _item(session, row))
    await session.flush()
    return items


async def _item(session: AsyncSession, row: OutboxEntry) -> OutboxItem:
    conversation = await session.get(Conversation, row.conversation_id)
    assert conversation is not None  # a foreign key
    message = None
    if row.message_id is not None:
        stored = await session.get(Message, row.message_id)
        assert stored is not None  # a foreign key
        message = StoredMessage.of(stored, created=False)
    return OutboxItem(OutboxInfo.of(row), ConversationInfo.of(conversation), message)


async def settle(
    session: AsyncSession,
    item: OutboxItem,
    owner: str,
    now: datetime,
    error: str | None,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> OutboxInfo | None:
    """Records the outcome of ``owner``'s attempt at a claimed row.

    Success marks it delivered; a failure schedules the next attempt after the policy's
    backoff, or marks it dead when the policy gives up. Returns the row after the change,
    or None when ``owner`` no longer holds it (its lease ran out and another dispatcher
    claimed it again), which then changes nothing.
    """
    row = (
        await session.execute(
            select(OutboxEntry)
            .where(OutboxEntry.id == item.entry.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None or row.locked_by != owner or row.attempts != item.attempt:
        return None
    if row.state != PENDING:
        return OutboxInfo.of(row)
    row.locked_by = None
    row.locked_until = None
    row.updated_at = now
    if error is None:
        row.state = DELIVERED
        row.delivered_at = now
        row.last_error = None
    else:
        row.last_error = error[:MAX_ERROR]
        if policy.gives_up(row.attempts, now - row.created_at):
            row.state = DEAD
            row.dead_at = now
        else:
            row.next_attempt_at = now + policy.delay(row.attempts, rng)
    await session.flush()
    return OutboxInfo.of(row)


async def release(session: AsyncSession, owner: str, ids: Sequence[int], now: datetime) -> int:
    """Gives back ``owner``'s leases of pending rows (a stopping dispatcher); due at once.

    Their attempt stays counted: whether it reached the bot is unknown, so the next one
    checks first. Returns how many rows were released.
    """
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.id.in_(list(ids)),
            OutboxEntry.locked_by == owner,
            OutboxEntry.state == PENDING,
        )
        .values(locked_by=None, locked_until=None, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def entries(
    session: AsyncSession, states: Sequence[str], limit: int, conversation_id: int | None = None
) -> list[OutboxInfo]:
    """Rows in ``states``, newest first (optionally of one conversation)."""
    for state in states:
        if state not in OUTBOX_STATES:
            raise InvalidInput(f"unknown outbox state {state!r}", "invalid_outbox_state")
    query = select(OutboxEntry).where(OutboxEntry.state.in_(list(states)))
    if conversation_id is not None:
        query = query.where(OutboxEntry.conversation_id == conversation_id)
    rows = await session.execute(query.order_by(OutboxEntry.id.desc()).limit(limit))
    return [OutboxInfo.of(row) for row in rows.scalars()]


async def entry(session: AsyncSession, outbox_id: int) -> OutboxInfo | None:
    """One row, or None."""
    row = await session.get(OutboxEntry, outbox_id)
    return OutboxInfo.of(row) if row is not None else None


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many rows are pending and dead."""
    rows = await session.execute(
        select(OutboxEntry.state, func.count())
        .where(OutboxEntry.state.in_([PENDING, DEAD]))
        .group_by(OutboxEntry.state)
    )
    found = {PENDING: 0, DEAD: 0}
    found.update({state: int(number) for state, number in rows.all()})
    return found
