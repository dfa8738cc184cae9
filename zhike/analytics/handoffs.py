"""Copies handoff episodes, agent replies and ratings from the desk's database.

Source: the ``handoff_*`` tables (:mod:`zhike.lib.handoff.models`) the action server and
the desk write (``ZHIKE_HANDOFF_DB_URL`` / ``ZHIKE_DESK_DB_URL``: one database). They are
the system of record for who handed over when, which agent accepted, replied and closed,
and the 1-5 ratings (also of bot-only conversations, disposition ``bot``), so the
consumer reads them there rather than from events. Each sync reads the episodes changed
since the last one (cursor: their ``updated_at``, less :data:`OVERLAP`) plus the recent
episodes not yet tied to a session (Rasa publishes a turn's events after the action
server opened the episode), upserts one :class:`~zhike.analytics.models.HandoffRow`
each, and stores each agent reply once (key ``handoff-message:<id>``, text masked) in
the episode's session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics.business_hours import business_seconds
from zhike.analytics.linking import link_handoffs, refresh_handoff_columns, refresh_sessions
from zhike.analytics.models import AGENT, CursorRow, HandoffRow, MessageRow
from zhike.analytics.settings import AnalyticsSettings
from zhike.common.privacy import mask_text
from zhike.common.times import utcnow
from zhike.lib.handoff.models import Agent, Conversation, Message

CURSOR = "handoff"
BATCH = 500
RETRY_UNLINKED = timedelta(days=1)
# Episodes updated this long before the cursor are read again (idempotent): a write that
# committed after a later one was read is not missed.
OVERLAP = timedelta(seconds=10)
MESSAGE_KEY = "handoff-message:{}"


@dataclass(frozen=True)
class SourceMessage:
    """A message of an episode, as the reply-time computation needs it."""

    id: int
    direction: str
    text: str
    at: datetime


def reply_times(
    messages: list[SourceMessage], settings: AnalyticsSettings
) -> tuple[int, float, float]:
    """The agent's replies after the first one: how many, and the waits they ended.

    A customer message starts a wait (the earliest unanswered one counts); the agent's
    next message ends it. The first agent reply is the first response time instead.

    Returns:
        ``(replies, seconds, business_seconds)``.
    """
    count, seconds, business = 0, 0.0, 0.0
    waiting: datetime | None = None
    replied = False
    for message in sorted(messages, key=lambda m: (m.at, m.id)):
        if message.direction == "user" and waiting is None and replied:
            waiting = message.at
        elif message.direction == AGENT:
            if waiting is not None:
                count += 1
                seconds += (message.at - waiting).total_seconds()
                business += business_seconds(
                    waiting, message.at, settings.zone, settings.open_at, settings.close_at
                )
            waiting, replied = None, True
    return count, seconds, business


async def read_changes(
    source: AsyncSession, since: datetime | None, retry: list[int]
) -> tuple[list[Conversation], dict[int, list[SourceMessage]], dict[str, str]]:
    """Episodes changed since ``since`` (and ``retry``), their messages and agent names."""
    query = select(Conversation)
    conditions = []
    if since is not None:  # a little before: a transaction may commit after a later one
        conditions.append(Conversation.updated_at >= since - OVERLAP)
    if retry:
        conditions.append(Conversation.id.in_(retry))
    if since is not None:
        query = query.where(or_(*conditions))
    episodes = list(
        (await source.execute(query.order_by(Conversation.updated_at).limit(BATCH))).scalars()
    )
    messages: dict[int, list[SourceMessage]] = defaultdict(list)
    ids = [e.id for e in episodes]
    if ids:
        rows = await source.execute(
            select(Message).where(
                Message.conversation_id.in_(ids), Message.direction.in_(("user", AGENT))
            )
        )
        for row in rows.scalars():
            messages[row.conversation_id].append(
                SourceMessage(row.id, row.direction, row.text or "", row.created_at)
            )
    names = {a.id: a.name for a in (await source.execute(select(Agent))).scalars()}
    return episodes, dict(messages), names


async def apply_changes(
    db: AsyncSession,
    episodes: list[Conversation],
    messages: dict[int, list[SourceMessage]],
    names: dict[str, str],
    settings: AnalyticsSettings,
) -> int:
    """Upserts the episodes and their agent replies in ``db``'s transaction (idempotent)."""
    for episode in episodes:
        row = await db.get(HandoffRow, episode.id)
        if row is None:
            row = HandoffRow(episode_id=episode.id)
            db.add(row)
        _copy(row, episode, messages.get(episode.id, []), names, settings)
    await db.flush()
    await link_handoffs(db, episodes=[e.id for e in episodes])
    touched: set[str] = set()
    for episode in episodes:
        row = await db.get(HandoffRow, episode.id)
        if row is None or row.session_key is None:
            continue
        agent_replies = [m for m in messages.get(episode.id, []) if m.direction == AGENT]
        keys = [MESSAGE_KEY.format(m.id) for m in agent_replies]
        present = set(
            (
                await db.execute(select(MessageRow.event_key).where(MessageRow.event_key.in_(keys)))
            ).scalars()
        )
        for reply, key in zip(agent_replies, keys, strict=True):
            if key not in present:
                db.add(_agent_message(row, reply, key))
                touched.add(row.session_key)
    await db.flush()
    await refresh_sessions(db, touched)
    await refresh_handoff_columns(db, touched)
    return len(episodes)


def _copy(
    row: HandoffRow,
    episode: Conversation,
    messages: list[SourceMessage],
    names: dict[str, str],
    settings: AnalyticsSettings,
) -> None:
    summary: Any = episode.summary if isinstance(episode.summary, dict) else {}
    row.sender_id = episode.sender_id
    row.channel = episode.channel
    row.reason = str(summary.get("reason"))[:128] if summary.get("reason") else None
    row.skill_group = episode.skill_group
    row.agent_id = episode.agent_id
    row.agent_name = names.get(episode.agent_id or "") or None
    row.requested_at = episode.handoff_requested_at
    row.assigned_at = episode.agent_assigned_at
    row.first_reply_at = episode.first_agent_reply_at
    row.closed_at = episode.closed_at
    row.disposition = episode.disposition
    row.rating = episode.rating
    row.rated_at = episode.rated_at
    row.reference_at = episode.handoff_requested_at or episode.rated_at or episode.created_at
    row.reply_count, row.reply_seconds, row.reply_business_seconds = reply_times(messages, settings)
    row.updated_at = episode.updated_at


def _agent_message(handoff: HandoffRow, reply: SourceMessage, key: str) -> MessageRow:
    return MessageRow(
        event_key=key,
        session_key=handoff.session_key,
        sender_id=handoff.sender_id,
        channel=handoff.channel,
        role=AGENT,
        text=mask_text(reply.text.strip()[:2000]),
        at=reply.at,
    )


async def cursor_mark(db: AsyncSession) -> datetime | None:
    """The ``updated_at`` the last handoff sync reached (``None``: from the start)."""
    row = await db.get(CursorRow, CURSOR)
    return datetime.fromisoformat(row.mark) if row is not None and row.mark else None


async def unlinked_recent(db: AsyncSession) -> list[int]:
    """Episodes seen but not yet tied to a session, from the last day."""
    result = await db.execute(
        select(HandoffRow.episode_id)
        .where(
            HandoffRow.session_key.is_(None), HandoffRow.reference_at >= utcnow() - RETRY_UNLINKED
        )
        .limit(BATCH)
    )
    return list(result.scalars())


async def save_mark(db: AsyncSession, episodes: list[Conversation]) -> None:
    """Moves the cursor to the latest ``updated_at`` among ``episodes``."""
    marks = [e.updated_at for e in episodes if e.updated_at is not None]
    if not marks:
        return
    row = await db.get(CursorRow, CURSOR)
    if row is None:
        row = CursorRow(name=CURSOR, position=0)
        db.add(row)
    latest = max(marks)
    current = datetime.fromisoformat(row.mark) if row.mark else None
    if current is None or latest > current:
        row.mark = latest.isoformat()
