"""Service tickets (工单): opening them idempotently, reading them, adding customers' notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zhike.common.ids import INVALID_TICKET_ID_MESSAGE, TICKET_PREFIX, normalize_ticket_id
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Ticket, TicketNote
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    existing_customer,
    not_found,
)
from zhike.servers.backend.validation import clean_text

TICKET_CATEGORIES: tuple[str, ...] = (
    "order",
    "refund",
    "logistics",
    "invoice",
    "course",
    "complaint",
    "other",
)
TICKET_CATEGORIES += ("return_dispute",)  # services.return_disputes
SUMMARY_MAX = 2000
CHANNEL_MAX = 32
IDEMPOTENCY_KEY_MAX = 128
NOTE_MAX = 500
NOTES_MAX = 20
CLOSED_STATUSES = ("resolved", "closed")
# Every read of a ticket loads its notes (the relationship is lazy="raise").
TICKET_OPTIONS = (selectinload(Ticket.notes),)


@dataclass(frozen=True)
class TicketResult:
    """The answer to a ticket creation.

    Attributes:
        ticket: the new ticket, or the first one opened with the same idempotency key.
        created: False when an earlier request with the same key had opened it.
    """

    ticket: Ticket
    created: bool


@dataclass(frozen=True)
class NoteResult:
    """The answer to a note.

    Attributes:
        ticket: the ticket with its notes.
        added: False when an earlier request with the same idempotency key had added it.
    """

    ticket: Ticket
    added: bool


def _idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip() if isinstance(raw, str) else ""
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable() or not key.isascii():
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"Idempotency-Key 应为 1-{IDEMPOTENCY_KEY_MAX} 个可见字符",
        )
    return key


async def create_ticket(
    session: AsyncSession,
    category: str,
    summary: str,
    customer_id: str | None = None,
    channel: str = "",
    idempotency_key: str | None = None,
    *,
    now: datetime | None = None,
) -> TicketResult:
    """Opens a ticket (status ``open``), or finds the one opened with ``idempotency_key``.

    A repeat with a known key returns the first ticket whatever its body says.

    Raises:
        ApiError: 400 ``invalid_idempotency_key`` / ``invalid_customer_id``; 422
            ``invalid_category``, ``invalid_summary`` (empty or more than 2000
            characters) or ``invalid_channel``; 404 ``not_found`` for an unknown customer.
    """
    now = current_time(now)
    key = _idempotency_key(idempotency_key)
    if key is not None:
        existing = await session.scalar(
            select(Ticket).where(Ticket.idempotency_key == key).options(*TICKET_OPTIONS)
        )
        if existing is not None:
            return TicketResult(existing, created=False)
    if category not in TICKET_CATEGORIES:
        raise ApiError(422, "invalid_category", "工单类别不正确")
    text = clean_text(summary, 1, SUMMARY_MAX)
    if text is None:
        raise ApiError(422, "invalid_summary", f"请填写问题描述（1-{SUMMARY_MAX} 个字）")
    channel_name = clean_text(channel if channel is not None else "", 0, CHANNEL_MAX)
    if channel_name is None:
        raise ApiError(422, "invalid_channel", f"渠道名称最多 {CHANNEL_MAX} 个字符")
    owner = None
    if customer_id not in (None, ""):
        owner = customer_id_of(customer_id)
        if await queries.get_customer(session, owner) is None:
            raise not_found("客户不存在")
    ticket = Ticket(
        id=await allocate_id(session, TICKET_PREFIX),
        customer_id=owner,
        category=category,
        summary=text,
        status="open",
        channel=channel_name,
        idempotency_key=key,
        created_at=now,
        updated_at=now,
        notes=[],
    )
    session.add(ticket)
    await session.flush()
    return TicketResult(ticket, created=True)


def _ticket_id_of(raw: str) -> str:
    canonical = normalize_ticket_id(raw) if isinstance(raw, str) else None
    if canonical is None:
        raise ApiError(400, "invalid_ticket_id", INVALID_TICKET_ID_MESSAGE)
    return canonical


async def get_ticket(session: AsyncSession, ticket_id: str) -> Ticket | None:
    """The ticket (notes loaded), or ``None``; raises 400 ``invalid_ticket_id`` if malformed."""
    return await session.get(Ticket, _ticket_id_of(ticket_id), options=list(TICKET_OPTIONS))


async def list_tickets(session: AsyncSession, customer_id: str) -> Sequence[Ticket]:
    """The customer's tickets, newest first.

    Raises:
        ApiError: 400 malformed id; 404 ``customer_not_found``.
    """
    customer = await existing_customer(session, customer_id)
    result = await session.execute(
        select(Ticket)
        .where(Ticket.customer_id == customer.id)
        .options(*TICKET_OPTIONS)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    return result.scalars().all()


async def append_note(
    session: AsyncSession,
    ticket_id: str,
    text: str,
    customer_id: str | None = None,
    idempotency_key: str | None = None,
    *,
    now: datetime | None = None,
) -> NoteResult:
    """Adds a note (a customer's follow-up) to an open ticket.

    The ticket's ``updated_at`` moves to ``now``. A ticket of a customer takes notes only
    from that customer (``customer_id``); an anonymous ticket from any caller (who proved
    they opened it). A repeat with a known ``idempotency_key`` adds nothing and returns
    the ticket whatever its body says.

    Returns:
        The ticket (locked for the transaction, notes loaded) and whether the note was
        added now (False for a repeat of ``idempotency_key``).

    Raises:
        ApiError: 400 ``invalid_ticket_id`` / ``invalid_customer_id`` /
            ``invalid_idempotency_key``; 404 ``not_found`` (unknown, or another
            customer's); 409 ``ticket_closed`` (resolved or closed), ``too_many_notes``
            (20 already), ``idempotency_key_reused`` (the key added a note to another
            ticket); 422 ``invalid_note`` (empty or more than 500 characters).
    """
    now = current_time(now)
    canonical = _ticket_id_of(ticket_id)
    acting = None if customer_id in (None, "") else customer_id_of(customer_id)
    key = _idempotency_key(idempotency_key)
    ticket = (
        await session.execute(
            select(Ticket)
            .where(Ticket.id == canonical)
            .options(*TICKET_OPTIONS)
            .with_for_update(of=Ticket)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if ticket is None or (ticket.customer_id is not None and ticket.customer_id != acting):
        raise not_found(f"未找到工单 {canonical}")
    if key is not None:
        earlier = await session.scalar(select(TicketNote).where(TicketNote.idempotency_key == key))
        if earlier is not None:
            if earlier.ticket_id != ticket.id:
                raise ApiError(409, "idempotency_key_reused", "该 Idempotency-Key 已用于其他工单")
            return NoteResult(ticket, added=False)
    if ticket.status in CLOSED_STATUSES:
        raise ApiError(409, "ticket_closed", "工单已结束，无法补充")
    note_text = clean_text(text, 1, NOTE_MAX)
    if note_text is None:
        raise ApiError(422, "invalid_note", f"补充内容应为 1-{NOTE_MAX} 个字")
    if len(ticket.notes) >= NOTES_MAX:
        raise ApiError(409, "too_many_notes", f"每个工单最多补充 {NOTES_MAX} 次，客服会尽快联系您")
    ticket.notes.append(TicketNote(text=note_text, idempotency_key=key, created_at=now))
    ticket.updated_at = now
    await session.flush()
    return NoteResult(ticket, added=True)
