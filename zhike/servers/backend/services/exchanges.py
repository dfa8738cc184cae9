"""Exchanges (换货) of delivered orders, and disputed returns (退货争议) as tickets.

Rules of an exchange (each refusal says why in plain Chinese):

* the order is the customer's (else 404 ``not_found``) and delivered;
* the product allows exchanges (``products.exchange_days`` > 0; food does not) and the
  request comes within ``exchange_days`` days of delivery (the last tracking event);
* ``size`` / ``colour``: the new item is another variant of the same product family
  (``product_variants``); ``defect`` (质量问题): the same SKU again;
* the new item is in stock (one piece is reserved for the exchange);
* one exchange at a time per order.

An exchange starts ``requested`` with a pickup window (tomorrow, China time, in a slot),
then ``picked_up`` -> ``reshipped`` (the new item's courier and tracking number) ->
``completed`` (:func:`advance_exchange`, the merchant's side).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.ids import EXCHANGE_PREFIX
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Exchange, Order, OrderItem, Product, ProductVariant
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import current_time, customer_order, order_id_of
from zhike.servers.backend.services.orders import delivered_at
from zhike.servers.backend.validation import clean_text

SIZE, COLOUR, DEFECT = "size", "colour", "defect"
REASONS = (SIZE, COLOUR, DEFECT)
REASON_LABELS = {SIZE: "尺码不合适", COLOUR: "颜色不喜欢", DEFECT: "质量问题"}
PICKUP_SLOTS = ("09:00-12:00", "14:00-18:00")
OPEN_STATUSES = ("requested", "picked_up", "reshipped")
NEXT_STATUS = {"requested": "picked_up", "picked_up": "reshipped", "reshipped": "completed"}
NOTE_MAX = 500
CHINA_TZ = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class Variant:
    """A sibling of the ordered item: its SKU, name, colour, size and stock."""

    sku: str
    name: str
    colour: str
    size: str
    stock: int


@dataclass(frozen=True)
class ExchangeCheck:
    """Whether an order line may be exchanged, and to what.

    Attributes:
        order_id: the order.
        sku: the ordered SKU checked (the order's first line unless one was named).
        name: its name.
        exchange_days: the product's window (0: not exchangeable).
        delivered_days: whole days since delivery (``None``: not delivered).
        code: ``None`` when eligible, else the refusal code (see :func:`check_exchange`).
        message: the refusal in Chinese (empty when eligible).
        variants: the other variants of its family (sizes, colours), in stock or not.
        stock: the stock of the same SKU (a defect exchange needs one).
        colour: the ordered variant's colour (empty when it has no family).
        size: the ordered variant's size (empty when it has no family).
    """

    order_id: str
    sku: str
    name: str
    exchange_days: int
    delivered_days: int | None
    code: str | None
    message: str
    variants: tuple[Variant, ...]
    stock: int
    colour: str = ""
    size: str = ""


def _line(order: Order, sku: str | None) -> OrderItem:
    for item in order.items:
        if sku is None or item.sku == sku:
            return item
    raise ApiError(422, "invalid_sku", f"订单 {order.id} 中没有商品 {sku}")


async def _variants(session: AsyncSession, sku: str) -> tuple[Variant, ...]:
    family = await session.scalar(select(ProductVariant.family).where(ProductVariant.sku == sku))
    if family is None:
        return ()
    rows = await session.execute(
        select(ProductVariant, Product)
        .join(Product, Product.sku == ProductVariant.sku)
        .where(ProductVariant.family == family, ProductVariant.sku != sku)
        .order_by(ProductVariant.sku)
    )
    return tuple(
        Variant(product.sku, product.name, variant.colour, variant.size, product.stock)
        for variant, product in rows.all()
    )


# Orders past any exchange: refunding, refunded or cancelled (409 ``order_closed``).
CLOSED = {"refunding": "正在退款中", "refunded": "已经退款", "cancelled": "已经取消"}


def _refusal(
    order: Order, name: str, product: Product | None, days: int | None
) -> tuple[str, str] | None:
    if order.status in CLOSED:
        return "order_closed", f"订单 {order.id} {CLOSED[order.status]}，不能再申请换货"
    if order.status != "delivered" or days is None:
        return "exchange_not_allowed", (
            f"订单 {order.id} 还没有签收，签收后才能申请换货"
            if order.status in ("paid", "shipped")
            else f"订单 {order.id} 当前状态不支持换货"
        )
    if product is None or not product.exchange_days:
        if product is not None and product.category == "food":
            return "not_exchangeable", f"「{name}」属于食品，出于食品安全考虑不支持换货"
        return "not_exchangeable", f"「{name}」不支持换货"
    if days > product.exchange_days:
        return "exchange_window_passed", (
            f"订单 {order.id} 已签收 {days} 天，超过 {product.exchange_days} 天换货期，无法申请换货"
        )
    return None


async def check_exchange(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    sku: str | None = None,
    *,
    now: datetime | None = None,
) -> ExchangeCheck:
    """Whether the customer's order line may be exchanged, and its sibling variants.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's
            order); 422 ``invalid_sku`` (not in the order).
    """
    now = current_time(now)
    order = await customer_order(session, order_id, customer_id)
    item = _line(order, sku)
    product = await session.get(Product, item.sku)
    days = None
    if order.status == "delivered":
        days = max((now - delivered_at(order)).days, 0)
    refusal = _refusal(order, item.name, product, days)
    if refusal is None and any(
        ex.status in OPEN_STATUSES for ex in await _exchanges(session, order.id)
    ):
        refusal = ("exchange_exists", f"订单 {order.id} 已有进行中的换货，回复「换货进度」可查看")
    code, message = refusal if refusal is not None else (None, "")
    own = await session.get(ProductVariant, item.sku)
    return ExchangeCheck(
        order_id=order.id,
        sku=item.sku,
        name=item.name,
        exchange_days=int(product.exchange_days) if product is not None else 0,
        delivered_days=days,
        code=code,
        message=message,
        variants=await _variants(session, item.sku),
        stock=int(product.stock) if product is not None else 0,
        colour=own.colour if own is not None else "",
        size=own.size if own is not None else "",
    )


async def _exchanges(session: AsyncSession, order_id: str) -> Sequence[Exchange]:
    result = await session.execute(
        select(Exchange)
        .where(Exchange.order_id == order_id)
        .order_by(Exchange.created_at, Exchange.id)
    )
    return result.scalars().all()


def _pickup_date(now: datetime) -> str:
    return (now.astimezone(CHINA_TZ) + timedelta(days=1)).date().isoformat()


async def request_exchange(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    reason: str,
    new_sku: str | None = None,
    sku: str | None = None,
    pickup_slot: str | None = None,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Exchange:
    """Opens an exchange of one order line (the first unless ``sku`` names one).

    Args:
        session: the write transaction.
        order_id: the order.
        customer_id: the customer acting (must own it).
        reason: ``size``, ``colour`` or ``defect``.
        new_sku: the variant wanted (size/colour); ignored for a defect (same SKU).
        sku: the ordered SKU to exchange (default: the order's first line).
        pickup_slot: one of :data:`PICKUP_SLOTS` (default the morning); the pickup is
            tomorrow, China time.
        note: the customer's words (at most 500 characters).
        now: the clock.

    Raises:
        ApiError: 422 ``invalid_reason``, ``invalid_sku``, ``invalid_new_sku`` (missing
            for a size/colour exchange), ``invalid_pickup_slot`` or ``invalid_note``; 400
            malformed id; 404 ``not_found``; 409 ``exchange_not_allowed`` (not delivered),
            ``order_closed`` (refunding, refunded, cancelled),
            ``not_exchangeable`` (e.g. food), ``exchange_window_passed``,
            ``exchange_exists``, ``not_same_family`` or ``out_of_stock``.
    """
    now = current_time(now)
    if reason not in REASONS:
        raise ApiError(422, "invalid_reason", "换货原因应为尺码、颜色或质量问题")
    slot = pickup_slot or PICKUP_SLOTS[0]
    if slot not in PICKUP_SLOTS:
        raise ApiError(422, "invalid_pickup_slot", f"上门取件时段应为 {' 或 '.join(PICKUP_SLOTS)}")
    text = clean_text(note if note is not None else "", 0, NOTE_MAX)
    if text is None:
        raise ApiError(422, "invalid_note", f"换货说明最多 {NOTE_MAX} 个字")
    if reason != DEFECT and not (isinstance(new_sku, str) and new_sku.strip()):
        raise ApiError(422, "invalid_new_sku", "请告诉我想换成的尺码或颜色")
    check = await check_exchange(session, order_id, customer_id, sku, now=now)
    if check.code is not None:
        raise ApiError(409, check.code, check.message)
    if reason == DEFECT:
        target_sku, stock = check.sku, check.stock
        target_name = check.name
    else:
        wanted = str(new_sku).strip().upper()
        found = next((v for v in check.variants if v.sku == wanted), None)
        if found is None:
            raise ApiError(
                409,
                "not_same_family",
                "换货只能换同款商品的其他尺码或颜色，如需换其他商品请申请退货",
            )
        target_sku, stock, target_name = found.sku, found.stock, found.name
    order = await customer_order(session, order_id, customer_id)
    quantity = int(_line(order, check.sku).qty)
    product = await session.get(Product, target_sku, with_for_update=True)
    if product is None or stock < quantity or product.stock < quantity:
        raise ApiError(
            409, "out_of_stock", f"「{target_name}」暂时缺货，可以换其他尺码或颜色，或申请退货退款"
        )
    product.stock = product.stock - quantity
    exchange = Exchange(
        id=await allocate_id(session, EXCHANGE_PREFIX),
        order_id=order.id,
        sku=check.sku,
        new_sku=target_sku,
        quantity=quantity,
        reason=reason,
        note=text,
        status="requested",
        pickup_date=_pickup_date(now),
        pickup_slot=slot,
        created_at=now,
        updated_at=now,
    )
    session.add(exchange)
    await session.flush()
    return exchange


async def list_exchanges(session: AsyncSession, raw_order_id: str) -> Sequence[Exchange]:
    """The exchanges of an order, oldest first (a read: visibility is the caller's).

    Raises:
        ApiError: 400 malformed id; 404 ``order_not_found``.
    """
    order_id = order_id_of(raw_order_id)
    if not await queries.order_exists(session, order_id):
        raise ApiError(404, "order_not_found", f"订单 {order_id} 不存在")
    return await _exchanges(session, order_id)


async def advance_exchange(
    session: AsyncSession,
    exchange_id: str,
    courier: str | None = None,
    tracking_number: str | None = None,
    *,
    now: datetime | None = None,
) -> Exchange:
    """Moves an exchange one step on (the merchant's side): the courier of a reshipment.

    Raises:
        ApiError: 404 ``not_found``; 409 ``exchange_closed`` (completed already); 422
            ``invalid_shipment`` (reshipping without courier and tracking number).
    """
    now = current_time(now)
    exchange = await session.get(Exchange, exchange_id, with_for_update=True)
    if exchange is None:
        raise ApiError(404, "not_found", f"换货单 {exchange_id} 不存在")
    following = NEXT_STATUS.get(exchange.status)
    if following is None:
        raise ApiError(409, "exchange_closed", f"换货单 {exchange_id} 已完成")
    if following == "reshipped":
        courier_name = clean_text(courier or "", 1, 32)
        number = clean_text(tracking_number or "", 6, 32)
        if courier_name is None or number is None:
            raise ApiError(422, "invalid_shipment", "发出新商品需要快递公司和运单号")
        exchange.courier, exchange.tracking_number = courier_name, number
    exchange.status = following
    exchange.updated_at = now
    await session.flush()
    return exchange
