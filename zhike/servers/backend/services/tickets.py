"""Service tickets (工单): opening them idempotently, reading them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.ids import INVALID_TICKET_ID_MESSAGE, TICKET_PREFIX, normalize_ticket_id
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Ticket
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


@dataclass(frozen=True)
class TicketResult:
    """The answer to a ticket creation.

    Attributes:
        ticket: the new ticket, or the first one opened with the same idempotency key.
        created: False when an earlier request with the same key had opened it.
    """

    ticket: Ticket
    created: bool


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
        existing = await session.scalar(select(Ticket).where(Ticket.idempotency_key == key))
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
    )
    session.add(ticket)
    await session.flush()
    return TicketResult(ticket, created=True)


async def get_ticket(session: AsyncSession, ticket_id: str) -> Ticket | None:
    """The ticket, or ``None``; raises 400 ``invalid_ticket_id`` for a malformed id."""
    canonical = normalize_ticket_id(ticket_id)
    if canonical is None:
        raise ApiError(400, "invalid_ticket_id", INVALID_TICKET_ID_MESSAGE)
    return await session.get(Ticket, canonical)


async def list_tickets(session: AsyncSession, customer_id: str) -> Sequence[Ticket]:
    """The customer's tickets, newest first.

    Raises:
        ApiError: 400 malformed id; 404 ``customer_not_found``.
    """
    customer = await existing_customer(session, customer_id)
    result = await session.execute(
        select(Ticket)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    return result.scalars().all()
