"""Allocation of the ids the service creates: ``RF``, ``IV``, ``LR`` and ``TK`` + 8 digits.

One row per prefix in ``id_sequences`` holds the last number handed out. Allocating is an
atomic ``UPDATE ... SET last_value = last_value + 1`` inside the caller's transaction, so
the row stays locked until that transaction ends: concurrent transactions get distinct
numbers (PostgreSQL row lock; SQLite's single writer). A missing row is created from the
highest id already in the table; two transactions creating it at once collide on the
primary key, and :meth:`zhike.servers.backend.db.Database.run` retries the loser.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.ids import (
    DELIVERY_CHANGE_PREFIX,
    EXCHANGE_PREFIX,
    INVOICE_CHANGE_PREFIX,
    INVOICE_PREFIX,
    LESSON_REQUEST_PREFIX,
    PRICE_PROTECTION_PREFIX,
    REFUND_PREFIX,
    TICKET_PREFIX,
    VISIT_PREFIX,
    format_id,
    id_number,
)
from zhike.servers.backend import models as _models
from zhike.servers.backend.models import (
    IdSequence,
    Invoice,
    InvoiceChange,
    LessonRequest,
    Refund,
    Ticket,
)
from zhike.servers.backend.tables.delivery import DeliveryChange
from zhike.servers.backend.tables.price_protection import PriceProtection
from zhike.servers.backend.tables.visits import Visit

# Numbering starts after this when a table holds no id of the prefix yet.
FIRST_NUMBER_FLOOR = 20240000

_TABLES: dict[str, Any] = {
    REFUND_PREFIX: Refund,
    INVOICE_PREFIX: Invoice,
    LESSON_REQUEST_PREFIX: LessonRequest,
    TICKET_PREFIX: Ticket,
    PRICE_PROTECTION_PREFIX: PriceProtection,
    VISIT_PREFIX: Visit,
    INVOICE_CHANGE_PREFIX: InvoiceChange,
}
_TABLES[EXCHANGE_PREFIX] = _models.Exchange
_TABLES[DELIVERY_CHANGE_PREFIX] = DeliveryChange


async def _highest_existing(session: AsyncSession, prefix: str) -> int:
    model = _TABLES[prefix]
    highest = await session.scalar(
        select(func.max(model.id)).where(model.id.like(f"{prefix}________"))
    )
    number = id_number(prefix, highest) if highest else None
    return max(number or 0, FIRST_NUMBER_FLOOR)


async def allocate_id(session: AsyncSession, prefix: str) -> str:
    """The next unused id with ``prefix`` (one of ``RF``, ``IV``, ``LR``, ``TK``).

    Must run inside the transaction that inserts the row carrying the id.

    Raises:
        KeyError: for an unknown prefix.
        sqlalchemy.exc.IntegrityError: when a concurrent transaction created the sequence
            row first (retry the transaction).
    """
    if prefix not in _TABLES:
        raise KeyError(f"no id sequence for prefix {prefix!r}")
    result = await session.execute(
        update(IdSequence)
        .where(IdSequence.prefix == prefix)
        .values(last_value=IdSequence.last_value + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        number = await session.scalar(
            select(IdSequence.last_value).where(IdSequence.prefix == prefix)
        )
    else:
        number = await _highest_existing(session, prefix) + 1
        session.add(IdSequence(prefix=prefix, last_value=number))
        await session.flush()
    return format_id(prefix, int(number))
