"""Helpers shared by the service modules: the clock, id checks and ownership checks."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.ids import (
    INVALID_CUSTOMER_ID_MESSAGE,
    INVALID_ORDER_ID_MESSAGE,
    normalize_customer_id,
    normalize_order_id,
)
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Customer, Order

NOT_FOUND_MESSAGE = "未找到相关记录"


def current_time(now: datetime | None = None) -> datetime:
    """``now`` as aware UTC (naive is taken as UTC); the current time when ``None``."""
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        return now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def not_found(message: str = NOT_FOUND_MESSAGE) -> ApiError:
    """The 404 ``not_found`` refusal of a write (unknown record or another customer's)."""
    return ApiError(404, "not_found", message)


def order_id_of(raw: str) -> str:
    """The canonical order id; raises a 400 ``invalid_order_id`` for a malformed one."""
    order_id = normalize_order_id(raw)
    if order_id is None:
        raise ApiError(400, "invalid_order_id", INVALID_ORDER_ID_MESSAGE)
    return order_id


def customer_id_of(raw: str | None) -> str:
    """The canonical customer id; raises a 400 ``invalid_customer_id`` for a malformed one."""
    customer_id = normalize_customer_id(raw) if isinstance(raw, str) else None
    if customer_id is None:
        raise ApiError(400, "invalid_customer_id", INVALID_CUSTOMER_ID_MESSAGE)
    return customer_id


async def existing_customer(session: AsyncSession, raw_customer_id: str) -> Customer:
    """The customer for a read; raises 400 (malformed id) or 404 ``customer_not_found``."""
    customer_id = customer_id_of(raw_customer_id)
    customer = await queries.get_customer(session, customer_id)
    if customer is None:
        raise ApiError(404, "customer_not_found", f"客户 {customer_id} 不存在")
    return customer


async def customer_order(session: AsyncSession, raw_order_id: str, raw_customer_id: str) -> Order:
    """The customer's order, locked for the transaction, loaded for serialisation.

    Raises:
        ApiError: 400 for a malformed id; 404 ``not_found`` when the order does not exist
            or belongs to another customer (the two are indistinguishable).
    """
    order_id = order_id_of(raw_order_id)
    customer_id = customer_id_of(raw_customer_id)
    order = await queries.get_order(session, order_id, for_update=True)
    if order is None or order.customer_id != customer_id:
        raise not_found(f"未找到您名下的订单 {order_id}")
    return order
