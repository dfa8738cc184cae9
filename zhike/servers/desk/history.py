"""Closed conversations to look back on (历史会话) and the after-hours requests (留言).

- History: conversations an agent served and closed, newest first, filtered by dates (of
  closing, in the desk's time zone), an order number (in the bot's summary or any message)
  and a customer (masked name, customer id, or a masked phone as the messages store it).
- 留言: handoff requests the desk could not take — outside business hours (``after_hours``)
  or with no agent of the group online (``no_agent``). The handoff library closes these
  at once with that disposition and keeps the bot's summary; an agent works through them
  and marks each handled with a note (``desk_ticket_notes``, in the desk database, so every
  replica sees the same list).

Read-only queries on the handoff tables; notes are stored masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Integer, String, Text, Unicode, and_, cast, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.privacy import mask_text
from zhike.common.times import UTCDateTime
from zhike.lib.handoff import CLOSED, HandoffService
from zhike.lib.handoff.models import Conversation, Message
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.models import DeskBase

TICKET_DISPOSITIONS = ("after_hours", "no_agent")
CANDIDATES = 500  # the most recent matching conversations a customer search looks through


class TicketNote(DeskBase):
    """An after-hours request (留言) marked handled: by whom, when, with what note."""

    __tablename__ = "desk_ticket_notes"
    conversation_id = Column(Integer, primary_key=True, autoincrement=False)
    agent_id = Column(String(64), nullable=False)
    note = Column(Text, nullable=False)
    handled_at = Column(UTCDateTime, nullable=False)


@dataclass(frozen=True)
class Filters:
    """What a history or 留言 search asks for (already checked)."""

    groups: tuple[str, ...] | None  # None: every group (a supervisor)
    agent_id: str
    order: str | None = None
    since: date | None = None
    until: date | None = None


class AlreadyHandled(Exception):
    """The 留言 was marked handled before."""


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _conditions(filters: Filters, tz: ZoneInfo, at: Any) -> list[Any]:
    found = [Conversation.state == CLOSED]
    if filters.groups is not None:
        found.append(
            or_(
                Conversation.skill_group.in_(filters.groups),
                Conversation.agent_id == filters.agent_id,
            )
        )
    if filters.since is not None:
        found.append(at >= _local_start(filters.since, tz))
    if filters.until is not None:
        found.append(at < _local_start(filters.until + timedelta(days=1), tz))
    if filters.order:
        pattern = f"%{filters.order}%"
        said = select(Message.id).where(
            Message.conversation_id == Conversation.id, Message.text.like(pattern)
        )
        found.append(or_(cast(Conversation.summary, Unicode).like(pattern), said.exists()))
    return found


async def closed_conversations(
    service: HandoffService, filters: Filters, tz: ZoneInfo, limit: int = CANDIDATES
) -> list[Conversation]:
    """Agent-served closed conversations matching ``filters``, newest first."""
    query = (
        select(Conversation)
        .where(
            Conversation.agent_assigned_at.is_not(None),
            *_conditions(filters, tz, Conversation.closed_at),
        )
        .order_by(Conversation.closed_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    async with service.db.session() as session:
        return list((await session.execute(query)).scalars())


async def ticket_conversations(
    service: HandoffService, filters: Filters, tz: ZoneInfo, limit: int = CANDIDATES
) -> list[Conversation]:
    """After-hours / no-agent requests matching ``filters``, oldest first (answered in turn).

    Only the ``limit`` latest are looked at: older ones are past answering.
    """
    query = (
        select(Conversation)
        .where(
            Conversation.disposition.in_(TICKET_DISPOSITIONS),
            *_conditions(filters, tz, Conversation.handoff_requested_at),
        )
        .order_by(Conversation.handoff_requested_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    async with service.db.session() as session:
        return list(reversed((await session.execute(query)).scalars().all()))


async def said_in(service: HandoffService, ids: list[int], text: str) -> set[int]:
    """Which of the conversations hold ``text`` in a message or the bot's summary."""
    if not ids:
        return set()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    async with service.db.session() as session:
        spoken = await session.execute(
            select(Message.conversation_id)
            .where(Message.conversation_id.in_(ids), Message.text.like(pattern, escape="\\"))
            .distinct()
        )
        summed = await session.execute(
            select(Conversation.id).where(
                Conversation.id.in_(ids),
                or_(
                    cast(Conversation.summary, Unicode).like(pattern, escape="\\"),
                    and_(Conversation.customer_id.is_not(None), Conversation.customer_id == text),
                ),
            )
        )
        return {cid for (cid,) in spoken} | {cid for (cid,) in summed}


async def notes_of(db: DeskDatabase, ids: list[int]) -> dict[int, TicketNote]:
    """The handled-notes of these conversations, by conversation id."""
    if not ids:
        return {}
    async with db.session() as session:
        rows = await session.execute(select(TicketNote).where(TicketNote.conversation_id.in_(ids)))
        return {row.conversation_id: row for row in rows.scalars()}


async def mark_handled(
    db: DeskDatabase, conversation_id: int, agent_id: str, note: str, now: datetime
) -> str:
    """Stores the note masked and returns it; :class:`AlreadyHandled` when marked before."""

    async def work(session: AsyncSession) -> str:
        if await session.get(TicketNote, conversation_id) is not None:
            raise AlreadyHandled(conversation_id)
        row = TicketNote(
            conversation_id=conversation_id,
            agent_id=agent_id,
            note=mask_text(note.strip()),
            handled_at=now,
        )
        session.add(row)
        await session.flush()
        return str(row.note)

    try:
        return await db.run(work, attempts=1)
    except IntegrityError as error:  # a concurrent handler won
        raise AlreadyHandled(conversation_id) from error
