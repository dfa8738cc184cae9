"""Read queries of the API, loading exactly the relations each answer needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zhike.servers.backend.models import Customer, Logistics, Order, OrderItem

ORDER_OPTIONS = (
    selectinload(Order.items).selectinload(OrderItem.product),
    selectinload(Order.logistics).selectinload(Logistics.events),
    selectinload(Order.refunds),
    selectinload(Order.invoices),
)


async def get_order(
    session: AsyncSession, order_id: str, *, for_update: bool = False
) -> Order | None:
    """The order with items, logistics (+ events), refunds and invoices, or None.

    Args:
        session: the session.
        order_id: a canonical order id.
        for_update: lock the order row until the transaction ends (PostgreSQL
            ``SELECT ... FOR UPDATE``; SQLite's write transaction already excludes others).
    """
    query = select(Order).where(Order.id == order_id).options(*ORDER_OPTIONS)
    if for_update:
        query = query.with_for_update(of=Order)
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def get_logistics(session: AsyncSession, order_id: str) -> Logistics | None:
    """The shipment of an order with its tracking events, or None when not shipped."""
    result = await session.execute(
        select(Logistics)
        .where(Logistics.order_id == order_id)
        .options(selectinload(Logistics.events))
    )
    return result.scalar_one_or_none()


async def order_exists(session: AsyncSession, order_id: str) -> bool:
    """True when an order with this id exists."""
    return (await session.scalar(select(Order.id).where(Order.id == order_id))) is not None


async def get_customer(
    session: AsyncSession, customer_id: str, *, for_update: bool = False
) -> Customer | None:
    """The customer, or None (``for_update`` locks the row, see :func:`get_order`)."""
    query = select(Customer).where(Customer.id == customer_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_orders(session: AsyncSession, customer_id: str) -> Sequence[Order]:
    """The customer's orders, newest first, with items, logistics, refunds and invoices."""
    result = await session.execute(
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(*ORDER_OPTIONS)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    return result.scalars().all()
