"""Return pickups (上门取件) of refunds: read the pickup, move it to another day and slot.

The window rules are those of :mod:`zhike.servers.backend.services.delivery` (tomorrow to
7 days ahead), with 上午 or 下午 only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
    not_found,
    order_id_of,
)
from zhike.servers.backend.services.delivery import PICKUP_SLOTS, new_change, slot_code, window_day
from zhike.servers.backend.services.orders import OPEN_REFUND_STATUSES
from zhike.servers.backend.tables.delivery import ReturnPickup


async def _pickups(session: AsyncSession, order: Order) -> list[ReturnPickup]:
    result = await session.execute(
        select(ReturnPickup)
        .where(ReturnPickup.order_id == order.id)
        .order_by(ReturnPickup.created_at, ReturnPickup.id)
    )
    return list(result.scalars())


def _open_refund_ids(order: Order) -> set[str]:
    return {refund.id for refund in order.refunds if refund.status in OPEN_REFUND_STATUSES}


async def get_return_pickup(
    session: AsyncSession, order_id: str, customer_id: str
) -> ReturnPickup | None:
    """The latest pickup of an open refund of the customer's order, or ``None``.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    oid, cid = order_id_of(order_id), customer_id_of(customer_id)
    order = await queries.get_order(session, oid)
    if order is None or order.customer_id != cid:
        raise not_found(f"未找到您名下的订单 {oid}")
    refunds = _open_refund_ids(order)
    found = [pickup for pickup in await _pickups(session, order) if pickup.refund_id in refunds]
    return found[-1] if found else None


async def reschedule_pickup(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    day: Any,
    slot: Any,
    *,
    now: datetime | None = None,
) -> ReturnPickup:
    """Moves the scheduled return pickup of an open refund to another day and slot.

    Raises:
        ApiError: 422 ``invalid_date``, ``date_out_of_window`` or ``invalid_slot``; 400
            malformed id; 404 ``not_found``; 409 ``no_pickup`` (no refund with a pickup),
            ``pickup_done`` (already collected) or ``same_window``.
    """
    now = current_time(now)
    chosen = window_day(day, now)
    code = slot_code(slot, PICKUP_SLOTS, "上门取件时段")
    order = await customer_order(session, order_id, customer_id)
    refunds = _open_refund_ids(order)
    found = [pickup for pickup in await _pickups(session, order) if pickup.refund_id in refunds]
    if not found or found[-1].status == "cancelled":
        raise ApiError(
            409, "no_pickup", f"订单 {order.id} 没有待上门取件的退货申请，无需改约取件时间"
        )
    pickup = found[-1]
    if pickup.status == "picked_up":
        raise ApiError(409, "pickup_done", f"订单 {order.id} 的退货包裹快递员已经取走了")
    if pickup.pickup_date == chosen.isoformat() and pickup.pickup_slot == code:
        raise ApiError(409, "same_window", "新的取件时间和原来预约的一样，无需修改")
    pickup.pickup_date = chosen.isoformat()
    pickup.pickup_slot = code
    pickup.updated_at = now
    await new_change(
        session,
        order,
        "pickup_window",
        "done",
        now,
        window_date=pickup.pickup_date,
        window_slot=code,
    )
    return pickup
