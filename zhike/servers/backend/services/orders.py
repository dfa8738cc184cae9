"""Orders: reads, cancellation, refunds and address changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.ids import REFUND_PREFIX
from zhike.common.refund_kinds import is_price_difference
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Logistics, Order, Refund
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import current_time, customer_order, order_id_of
from zhike.servers.backend.validation import clean_text

CANCELLABLE = ("pending_payment", "paid")
REFUNDABLE = ("paid", "shipped", "delivered")
ADDRESS_CHANGEABLE = ("pending_payment", "paid")
OPEN_REFUND_STATUSES = ("requested", "processing", "approved")
REFUND_WINDOW = timedelta(days=7)
REASON_MAX = 500
ADDRESS_MIN, ADDRESS_MAX = 8, 200
RECIPIENT_MAX = 64
CANCEL_REFUND_REASON = "订单取消，全额退款"


async def get_order(session: AsyncSession, raw_order_id: str) -> Order | None:
    """The order (any customer's), or ``None``; raises 400 for a malformed id."""
    return await queries.get_order(session, order_id_of(raw_order_id))


async def get_logistics(session: AsyncSession, raw_order_id: str) -> Logistics:
    """The shipment of an order.

    Raises:
        ApiError: 400 ``invalid_order_id``; 404 ``order_not_found`` or
            ``logistics_not_found`` (the order exists but has not shipped).
    """
    order_id = order_id_of(raw_order_id)
    logistics = await queries.get_logistics(session, order_id)
    if logistics is not None:
        return logistics
    if not await queries.order_exists(session, order_id):
        raise ApiError(404, "order_not_found", f"订单 {order_id} 不存在")
    raise ApiError(404, "logistics_not_found", f"订单 {order_id} 尚未发货，暂无物流信息")


def delivered_at(order: Order) -> datetime:
    """When a delivered order arrived: its last tracking event, else its ``updated_at``."""
    logistics = order.logistics
    if logistics is not None and logistics.events:
        return max(event.time for event in logistics.events)
    return order.updated_at


async def cancel_order(
    session: AsyncSession, order_id: str, customer_id: str, *, now: datetime | None = None
) -> Order:
    """Cancels an unshipped order; a paid one gets a completed full refund.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found``; 409 ``order_not_cancellable``.
    """
    now = current_time(now)
    order = await customer_order(session, order_id, customer_id)
    if order.status not in CANCELLABLE:
        raise ApiError(
            409, "order_not_cancellable", f"订单 {order.id} 已发货、已完成或正在退款，无法取消"
        )
    if order.status == "paid":
        refund = Refund(
            id=await allocate_id(session, REFUND_PREFIX),
            order_id=order.id,
            amount_fen=refundable_fen(order),
            reason=CANCEL_REFUND_REASON,
            status="completed",
            created_at=now,
            updated_at=now,
        )
        order.refunds.append(refund)
    order.status = "cancelled"
    order.updated_at = now
    await session.flush()
    return order


async def request_refund(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> Refund:
    """Opens a full refund of a paid, shipped or recently delivered order.

    The order becomes ``refunding``; a delivered order qualifies within 7 days of its
    delivery (:func:`delivered_at`).

    Raises:
        ApiError: 422 ``invalid_reason`` (empty or more than 500 characters); 400
            malformed id; 404 ``not_found``; 409 ``refund_exists`` while a refund is open;
            409 ``refund_not_allowed`` for any other status or after the window.
    """
    now = current_time(now)
    text = clean_text(reason, 1, REASON_MAX)
    if text is None:
        raise ApiError(422, "invalid_reason", f"请填写退款原因（1-{REASON_MAX} 个字）")
    order = await customer_order(session, order_id, customer_id)
    if any(
        refund.status in OPEN_REFUND_STATUSES and not is_price_difference(refund.reason)
        for refund in order.refunds
    ):  # a price difference paid back (价保) leaves the goods to return
        raise ApiError(409, "refund_exists", f"订单 {order.id} 已有处理中的退款申请")
    if order.status not in REFUNDABLE:
        raise ApiError(409, "refund_not_allowed", f"订单 {order.id} 当前状态不支持申请退款")
    if order.status == "delivered" and now - delivered_at(order) > REFUND_WINDOW:
        raise ApiError(
            409, "refund_not_allowed", f"订单 {order.id} 签收已超过 7 天，无法申请无理由退款"
        )
    refund = Refund(
        id=await allocate_id(session, REFUND_PREFIX),
        order_id=order.id,
        amount_fen=refundable_fen(order),
        reason=text,
        status="requested",
        created_at=now,
        updated_at=now,
    )
    order.refunds.append(refund)
    order.status = "refunding"
    order.updated_at = now
    await session.flush()
    return refund


async def change_address(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    address: str,
    recipient: str | None = None,
    *,
    now: datetime | None = None,
) -> Order:
    """Changes the shipping address (and optionally the recipient) before shipment.

    Raises:
        ApiError: 422 ``invalid_address`` (not 8-200 characters) or ``invalid_recipient``
            (empty or more than 64 characters); 400 malformed id; 404 ``not_found``;
            409 ``address_not_changeable`` once the order has shipped (or was cancelled).
    """
    now = current_time(now)
    text = clean_text(address, ADDRESS_MIN, ADDRESS_MAX)
    if text is None:
        raise ApiError(
            422, "invalid_address", f"收货地址需为 {ADDRESS_MIN}-{ADDRESS_MAX} 个字，请补充完整"
        )
    name = None
    if recipient is not None:
        name = clean_text(recipient, 1, RECIPIENT_MAX)
        if name is None:
            raise ApiError(422, "invalid_recipient", f"收货人姓名需为 1-{RECIPIENT_MAX} 个字")
    order = await customer_order(session, order_id, customer_id)
    if order.status not in ADDRESS_CHANGEABLE:
        raise ApiError(
            409, "address_not_changeable", f"订单 {order.id} 已发货或已关闭，无法修改地址"
        )
    order.shipping_address = text
    if name is not None:
        order.recipient = name
    order.updated_at = now
    await session.flush()
    return order


def refundable_fen(order: Order) -> int:
    """What a full refund pays back: the price, less the price differences refunded (价保)."""
    paid_back = sum(
        refund.amount_fen
        for refund in order.refunds
        if is_price_difference(refund.reason) and refund.status != "rejected"
    )
    return max(order.amount_fen - paid_back, 0)
