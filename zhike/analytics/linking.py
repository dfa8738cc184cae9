"""Keeps the session rows' summary columns in step with their messages and handoffs.

:func:`refresh_sessions` recomputes a session's counters from its message rows (never
incremented, so a replay cannot double-count); :func:`link_handoffs` ties each handoff
episode to the session it happened in (the sender's latest session that started at or
before the episode) and copies the handoff's reason, skill group, agent, resolution
and rating onto that session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics.models import (
    AGENT,
    BOT,
    KB_ANSWERS,
    KB_QUESTIONS,
    USER,
    HandoffRow,
    MessageRow,
    SessionRow,
)
from zhike.common.times import utcnow
from zhike.common.topic_names import NOT_A_TOPIC as TOPICLESS

# Intents that do not say what a conversation is about (its topic is the next one).
NOT_A_TOPIC = TOPICLESS | {"chitchat", "rate_service", "csat_score"}
CHUNK = 500
# Episodes without a session are looked for again this long (older ones: only when their
# sender's events arrive).
UNLINKED_RETRY = timedelta(days=1)


def first_topic(intents: list[str]) -> str | None:
    """The conversation's topic: its first intent that names one, else its first intent."""
    topical = [i for i in intents if i not in NOT_A_TOPIC]
    if topical:
        return topical[0]
    known = [i for i in intents if i != "nlu_fallback"]
    return known[0] if known else None


async def messages_by_session(db: AsyncSession, keys: list[str]) -> dict[str, list[MessageRow]]:
    """The messages of the sessions ``keys``, each session's in the order they were said."""
    messages: dict[str, list[MessageRow]] = defaultdict(list)
    result = await db.execute(
        select(MessageRow)
        .where(MessageRow.session_key.in_(keys))
        .order_by(MessageRow.at, MessageRow.id)
    )
    for message in result.scalars():
        messages[message.session_key].append(message)
    return messages


async def refresh_sessions(db: AsyncSession, keys: Iterable[str]) -> None:
    """Recomputes the message counters of the sessions ``keys`` from their messages."""
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        sessions = {
            row.session_key: row
            for row in (
                await db.execute(select(SessionRow).where(SessionRow.session_key.in_(chunk)))
            ).scalars()
        }
        messages = await messages_by_session(db, chunk)
        for key, session in sessions.items():
            _summarise(session, messages.get(key, []))


def _summarise(session: SessionRow, messages: list[MessageRow]) -> None:
    users = [m for m in messages if m.role == USER]
    intents: list[str] = []
    for message in users:
        if message.intent and message.intent not in intents:
            intents.append(message.intent)
    session.user_messages = len(users)
    session.bot_messages = sum(1 for m in messages if m.role == BOT)
    session.agent_messages = sum(1 for m in messages if m.role == AGENT)
    session.intents = intents
    session.first_intent = first_topic(intents)
    session.fallbacks = sum(1 for m in users if m.fallback)
    session.kb_questions = sum(1 for m in users if m.kb_outcome in KB_QUESTIONS)
    session.kb_answers = sum(1 for m in users if m.kb_outcome in KB_ANSWERS)
    session.last_unanswered = bool(users) and bool(users[-1].unanswered)
    if messages and messages[-1].at > session.last_at:
        session.last_at = messages[-1].at


async def link_handoffs(
    db: AsyncSession, senders: Iterable[str] = (), episodes: Iterable[int] = ()
) -> None:
    """Links the handoffs of ``senders``, the ``episodes`` and the recent unlinked ones.

    Then refreshes the handoff columns of every session that gained or lost a handoff.
    """
    sender_list, episode_list = sorted(set(senders)), sorted(set(episodes))
    recent = HandoffRow.reference_at >= utcnow() - UNLINKED_RETRY
    conditions = [and_(HandoffRow.session_key.is_(None), recent)]
    if sender_list:
        conditions.append(HandoffRow.sender_id.in_(sender_list))
    if episode_list:
        conditions.append(HandoffRow.episode_id.in_(episode_list))
    handoffs = list((await db.execute(select(HandoffRow).where(or_(*conditions)))).scalars())
    if not handoffs:
        return
    await db.flush()
    changed: set[str] = set()
    for handoff in handoffs:
        result = await db.execute(
            select(SessionRow.session_key)
            .where(
                SessionRow.sender_id == handoff.sender_id,
                SessionRow.started_at <= handoff.reference_at,
            )
            .order_by(SessionRow.started_at.desc())
            .limit(1)
        )
        key = result.scalars().first()
        if handoff.session_key is not None:
            changed.add(handoff.session_key)
        if key is not None:
            changed.add(key)
        handoff.session_key = key
    await db.flush()
    await refresh_handoff_columns(db, changed)


async def refresh_handoff_columns(db: AsyncSession, keys: Iterable[str]) -> None:
    """Copies each session's handoffs (reason, group, agent, resolution, rating) onto it."""
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        result = await db.execute(select(SessionRow).where(SessionRow.session_key.in_(chunk)))
        sessions = list(result.scalars())
        handoffs: dict[str, list[HandoffRow]] = defaultdict(list)
        found = await db.execute(
            select(HandoffRow)
            .where(HandoffRow.session_key.in_(chunk))
            .order_by(HandoffRow.reference_at, HandoffRow.episode_id)
        )
        for handoff in found.scalars():
            handoffs[str(handoff.session_key)].append(handoff)
        for session in sessions:
            _copy_handoffs(session, handoffs.get(session.session_key, []))


def _copy_handoffs(session: SessionRow, handoffs: list[HandoffRow]) -> None:
    episodes = [h for h in handoffs if h.requested_at is not None]
    rated = sorted(
        (h for h in handoffs if h.rating is not None), key=lambda h: h.rated_at or h.reference_at
    )
    session.handed_off = bool(episodes)
    first, last = (episodes[0], episodes[-1]) if episodes else (None, None)
    session.handoff_reason = first.reason if first else None
    session.skill_group = last.skill_group if last else None
    agents = [h.agent_id for h in episodes if h.agent_id]
    session.agent_id = agents[-1] if agents else None
    session.resolution = last.disposition if last else None
    session.csat_rating = rated[-1].rating if rated else None
