"""Applies a batch of Rasa events to the analytics tables, in the caller's transaction.

Every change is idempotent: a message row is inserted once (its unique ``event_key``),
and every other effect sets a value (a session's customer, a message's knowledge-base
outcome) rather than adding to one; the sessions' counters are recomputed from their
messages (:func:`zhike.analytics.linking.refresh_sessions`). Applying the same events
again, in one batch or across batches, changes nothing.

A message belongs to the sender's latest session that started at or before it; a
``session_started`` event opens a session (key: sender id and start time) and ends the
sender's earlier ones (``superseded``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics import events as ev
from zhike.analytics.linking import link_handoffs, refresh_sessions
from zhike.analytics.models import (
    BOT,
    KB_ANSWERED,
    KB_ASKED,
    KB_NONE,
    KB_PICK,
    KB_PICK_ANSWERED,
    KB_REJECTED,
    KB_SUGGESTED,
    USER,
    MessageRow,
    SessionRow,
)


def session_key(sender_id: str, started_at: datetime) -> str:
    """The key of the sender's session that started at ``started_at``."""
    return f"{sender_id}@{started_at.timestamp():.6f}"


class _Batch:
    """The sessions and latest customer messages of one batch's senders."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.sessions: dict[str, list[SessionRow]] = {}
        self.latest_user: dict[str, MessageRow] = {}
        self.touched: set[str] = set()

    async def load(self, sender_id: str, earliest: datetime) -> None:
        before = await self.db.execute(
            select(SessionRow)
            .where(SessionRow.sender_id == sender_id, SessionRow.started_at <= earliest)
            .order_by(SessionRow.started_at.desc())
            .limit(1)
        )
        after = await self.db.execute(
            select(SessionRow).where(
                SessionRow.sender_id == sender_id, SessionRow.started_at > earliest
            )
        )
        rows = list(before.scalars()) + list(after.scalars())
        self.sessions[sender_id] = sorted(rows, key=lambda row: row.started_at)

    def open(self, sender_id: str, at: datetime) -> SessionRow:
        """The sender's session starting at ``at`` (created, earlier ones superseded)."""
        rows = self.sessions[sender_id]
        found = next((row for row in rows if row.started_at == at), None)
        if found is None:
            found = SessionRow(
                session_key=session_key(sender_id, at),
                sender_id=sender_id,
                started_at=at,
                last_at=at,
                superseded=any(row.started_at > at for row in rows),
                intents=[],
            )
            self.db.add(found)
            rows.append(found)
            rows.sort(key=lambda row: row.started_at)
        for row in rows:
            if row.started_at < at and not row.superseded:
                row.superseded = True
        self.touched.add(found.session_key)
        return found

    def current(self, sender_id: str, at: datetime) -> SessionRow:
        """The sender's session at ``at`` (one starting then if there is none)."""
        rows = [row for row in self.sessions[sender_id] if row.started_at <= at]
        row = rows[-1] if rows else self.open(sender_id, at)
        if at > row.last_at:
            row.last_at = at
        self.touched.add(row.session_key)
        return row

    async def user_message(
        self, session: SessionRow, at: datetime, outcome: str | None = None
    ) -> MessageRow | None:
        """The session's latest customer message at or before ``at`` (with ``outcome``)."""
        cached = self.latest_user.get(session.session_key)
        if outcome is None and cached is not None and cached.at <= at:
            return cached
        query = select(MessageRow).where(
            MessageRow.session_key == session.session_key,
            MessageRow.role == USER,
            MessageRow.at <= at,
        )
        if outcome is not None:
            query = query.where(MessageRow.kb_outcome == outcome)
        result = await self.db.execute(query.order_by(MessageRow.at.desc()).limit(1))
        return result.scalars().first()


async def apply_events(db: AsyncSession, raw_events: Iterable[Any]) -> int:
    """Applies serialised Rasa events (dicts) in ``db``'s transaction.

    Returns:
        How many events had an analytics meaning (the rest are skipped).
    """
    facts = [f for f in (ev.read_event(event) for event in raw_events) if f is not None]
    if not facts:
        return 0
    facts.sort(key=lambda f: f.at)
    batch = _Batch(db)
    earliest: dict[str, datetime] = {}
    for fact in facts:
        earliest.setdefault(fact.sender_id, fact.at)
    for sender_id, at in earliest.items():
        await batch.load(sender_id, at)
    keys = [f.key for f in facts if f.kind in (ev.USER, ev.BOT)]
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        result = await db.execute(
            select(MessageRow.event_key).where(MessageRow.event_key.in_(keys[start : start + 500]))
        )
        known.update(result.scalars())
    for fact in facts:
        await _apply(batch, fact, known)
    await db.flush()
    await refresh_sessions(db, batch.touched)
    await link_handoffs(db, senders=set(earliest))
    return len(facts)


async def _apply(batch: _Batch, fact: ev.EventFacts, known: set[str]) -> None:
    if fact.kind == ev.SESSION:
        batch.open(fact.sender_id, fact.at)
        return
    session = batch.current(fact.sender_id, fact.at)
    if fact.kind in (ev.USER, ev.BOT):
        await _message(batch, session, fact, known)
    elif fact.kind == ev.KB_LOOKUP:
        message = await batch.user_message(session, fact.at)
        if message is not None and message.kb_outcome is None:
            message.kb_outcome = KB_ASKED
    elif fact.kind == ev.KB_ANSWER:
        message = await batch.user_message(session, fact.at)
        if message is not None:
            picked = message.kb_outcome in (KB_PICK, KB_PICK_ANSWERED)
            message.kb_outcome = KB_PICK_ANSWERED if picked else KB_ANSWERED
            message.unanswered = False
    elif fact.kind == ev.FALLBACK:
        message = await batch.user_message(session, fact.at)
        unsure = message is not None and message.intent == ev.FALLBACK_INTENT
        if message is not None and (unsure or fact.value == ev.CORE_FALLBACK):
            message.fallback, message.unanswered = True, True
    elif fact.kind == ev.CUSTOMER:
        session.customer_id = fact.value
    elif fact.kind == ev.HANDOFF_REASON:
        session.handoff_reason_code = fact.value
    elif fact.kind == ev.LOOP and (session.open_loop_at is None or fact.at >= session.open_loop_at):
        session.open_loop, session.open_loop_at = fact.value, fact.at


async def _message(
    batch: _Batch, session: SessionRow, fact: ev.EventFacts, known: set[str]
) -> None:
    if fact.kind == ev.USER and fact.channel and not session.channel:
        session.channel = fact.channel
    if fact.key not in known:
        known.add(fact.key)
        row = MessageRow(
            event_key=fact.key,
            session_key=session.session_key,
            sender_id=fact.sender_id,
            channel=fact.channel or session.channel,
            role=USER if fact.kind == ev.USER else BOT,
            text=fact.text,
            intent=fact.intent,
            confidence=fact.confidence,
            action=fact.value,
            fallback=False,
            unanswered=False,
            kb_outcome=KB_PICK if fact.kb_pick else None,
            at=fact.at,
        )
        batch.db.add(row)
        if row.role == USER:
            batch.latest_user[session.session_key] = row
    if fact.kind == ev.BOT:
        await _bot_effects(batch, session, fact)


async def _bot_effects(batch: _Batch, session: SessionRow, fact: ev.EventFacts) -> None:
    if fact.value in ev.CLOSINGS and (
        session.open_loop_at is None or fact.at >= session.open_loop_at
    ):
        session.open_loop, session.open_loop_at = None, fact.at
    if fact.value == ev.ASK_RATING:
        session.survey_asked = True
    elif fact.value in (ev.KB_NO_ANSWER, ev.KB_DID_YOU_MEAN):
        message = await batch.user_message(session, fact.at)
        if message is not None and message.kb_outcome in (None, KB_ASKED):
            message.kb_outcome = KB_NONE if fact.value == ev.KB_NO_ANSWER else KB_SUGGESTED
            message.unanswered = message.unanswered or fact.value == ev.KB_NO_ANSWER
    elif fact.value == ev.KB_NOT_THESE:
        await batch.db.flush()
        message = await batch.user_message(session, fact.at, outcome=KB_SUGGESTED)
        if message is not None:
            message.kb_outcome, message.unanswered = KB_REJECTED, True


def group_by_sender(raw_events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The events per sender id, in their order (a helper for tests and tools)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in raw_events:
        grouped[str(event.get("sender_id"))].append(event)
    return dict(grouped)


__all__ = ["BOT", "apply_events", "group_by_sender", "session_key"]
