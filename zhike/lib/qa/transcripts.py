"""Whole transcripts for quality inspection, read from the analytics tables.

The analytics consumer stores every message of a conversation session, masked: the
customer's and the bot's (from Rasa's events) and the agents' (from the desk's
``handoff_messages``), see :mod:`zhike.analytics.models`. Inspection reads them here:

- :func:`episode_lines`: the transcript of a handed-off conversation, from the end of
  the session's previous handoff (or its start) to this one's close, bot turns included;
- :func:`finished_sessions`: bot-only sessions (no handoff, or one no agent accepted)
  that have ended — the customer started a new session, rated, or was silent ``idle``;
- :func:`session_lines`: a session's transcript.

Lines are numbered 1, 2, ... in the order of the messages (time, then row id), so the
hits and the excerpt of a record refer to these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics.models import HandoffRow, MessageRow, SessionRow
from zhike.common.database import AsyncDatabase, keyset_after
from zhike.lib.qa.rules import Line

CLOSE_SLACK = timedelta(seconds=5)  # the agent's closing words may be stored just after


@dataclass(frozen=True)
class EpisodeTranscript:
    """A handed-off conversation's whole transcript and where it happened."""

    session_key: str
    channel: str | None
    lines: list[Line]


@dataclass(frozen=True)
class FinishedSession:
    """A bot-only session that has ended (the key of its record is ``-id``)."""

    id: int
    session_key: str
    channel: str | None
    customer_id: str | None
    started_at: datetime
    last_at: datetime
    rating: int | None


def numbered(rows: list[MessageRow]) -> list[Line]:
    """The message rows as transcript lines, numbered from 1 in time order."""
    ordered = sorted(rows, key=lambda row: (row.at, row.id))
    return [
        Line(i, row.role, row.text or "", row.at, bool(row.fallback))
        for i, row in enumerate(ordered, start=1)
    ]


async def _messages(
    session: AsyncSession, key: str, after: datetime | None, until: datetime | None
) -> list[MessageRow]:
    query = select(MessageRow).where(MessageRow.session_key == key)
    if after is not None:
        query = query.where(MessageRow.at > after)
    if until is not None:
        query = query.where(MessageRow.at <= until)
    return list((await session.execute(query)).scalars())


async def episode_lines(db: AsyncDatabase, episode_id: int) -> EpisodeTranscript | None:
    """The transcript of a handoff episode; None until the consumer tied it to a session."""
    async with db.session() as session:
        episode = await session.get(HandoffRow, episode_id)
        if episode is None or episode.session_key is None:
            return None
        start = episode.requested_at or episode.reference_at
        earlier = await session.execute(
            select(HandoffRow.closed_at).where(
                HandoffRow.session_key == episode.session_key,
                HandoffRow.episode_id != episode_id,
                HandoffRow.closed_at.is_not(None),
                HandoffRow.closed_at < start,
            )
        )
        after = max(earlier.scalars(), default=None)
        until = episode.closed_at + CLOSE_SLACK if episode.closed_at else None
        rows = await _messages(session, episode.session_key, after, until)
    return EpisodeTranscript(episode.session_key, episode.channel, numbered(rows))


async def session_lines(db: AsyncDatabase, session_key: str) -> list[Line]:
    """Every message of a session, as transcript lines."""
    async with db.session() as session:
        return numbered(await _messages(session, session_key, None, None))


async def finished_sessions(
    db: AsyncDatabase,
    since: datetime,
    now: datetime,
    idle: timedelta,
    after: tuple[datetime, int] | None = None,
    limit: int = 200,
) -> list[FinishedSession]:
    """Ended sessions no agent took part in, whose last activity is at or after ``since``.

    Ordered by (last activity, id); ``after`` continues after such a pair (pages).
    A session with no customer message is no conversation and is left out.
    """
    ended = or_(
        SessionRow.superseded.is_(True),
        SessionRow.last_at <= now - idle,
        SessionRow.csat_rating.is_not(None),
    )
    query = select(SessionRow).where(
        or_(SessionRow.handed_off.is_(False), SessionRow.agent_id.is_(None)),
        SessionRow.user_messages > 0,
        SessionRow.last_at >= since,
        ended,
    )
    query = query.where(*keyset_after(SessionRow.last_at, SessionRow.id, after))
    query = query.order_by(SessionRow.last_at, SessionRow.id).limit(limit)
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
    return [
        FinishedSession(
            row.id,
            row.session_key,
            row.channel,
            row.customer_id,
            row.started_at,
            row.last_at,
            row.csat_rating,
        )
        for row in rows
    ]
