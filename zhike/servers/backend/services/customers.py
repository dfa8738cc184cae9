"""Customers: account reads, their orders, and the course-notification switch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Customer, Order
from zhike.servers.backend.services.common import customer_id_of, existing_customer, not_found


async def get_customer(session: AsyncSession, customer_id: str) -> Customer | None:
    """The customer, or ``None``; raises 400 ``invalid_customer_id`` for a malformed id."""
    return await queries.get_customer(session, customer_id_of(customer_id))


async def list_orders(session: AsyncSession, customer_id: str) -> Sequence[Order]:
    """The customer's orders, newest first.

    Raises:
        ApiError: 400 malformed id; 404 ``customer_not_found``.
    """
    customer = await existing_customer(session, customer_id)
    return await queries.list_orders(session, customer.id)


async def set_course_notifications(
    session: AsyncSession, customer_id: str, enabled: bool
) -> Customer:
    """Turns lesson reminders on or off; returns the customer.

    Raises:
        ApiError: 422 ``invalid_course_notifications`` when ``enabled`` is not a bool;
            400 malformed id; 404 ``not_found``.
    """
    if not isinstance(enabled, bool):
        raise ApiError(
            422, "invalid_course_notifications", "course_notifications 必须是 true 或 false"
        )
    customer = await queries.get_customer(session, customer_id_of(customer_id), for_update=True)
    if customer is None:
        raise not_found("客户不存在")
    customer.course_notifications = enabled
    await session.flush()
    return customer
