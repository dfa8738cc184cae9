"""价保 (price protection): does an order item qualify, apply for it, list applications.

The policy, item by item (the first rule that fails explains the refusal):

1. One application per order item (``already_applied``).
2. The order is paid, shipped or delivered (``order_status``: unpaid, cancelled,
   refunding or refunded orders are not protected).
3. The window counts from when the order was placed and paid (``orders.created_at``):
   :data:`SELF_WINDOW_DAYS` (7) days for 京选自营, the shop's own window for a
   third-party shop (``seller_contacts.price_protection_days``, 15 in the demo;
   :data:`SHOP_WINDOW_DAYS` when the shop has no entry; 0: the shop offers none,
   ``no_protection``). Past it: ``out_of_window``, with the days since the order.
4. The product is still on sale (``product_unavailable``).
5. The current price of the SAME SKU from the SAME seller (``products.price_fen``) is
   lower than the price paid; otherwise ``no_drop`` (or ``other_seller_cheaper`` when
   only another shop's listing of the same product is cheaper: not compared).
6. The lower price is not a promotion (``promotion``): an active ``flash_sale`` (秒杀/
   限时抢购), ``plus_price`` (PLUS 专享价) or ``coupon`` price event at the current price.

An eligible item is refunded the difference × quantity: applying records a
``price_protections`` row per item and one ``refunds`` row (reason
:data:`REFUND_REASON`, status ``processing``) for the order's total, so the refund
progress shows it. The order's own status does not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.formats import yuan
from zhike.common.ids import PRICE_PROTECTION_PREFIX, REFUND_PREFIX
from zhike.common.refund_kinds import PRICE_PROTECTION_REASON
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import (
    Order,
    OrderItem,
    PriceEvent,
    PriceProtection,
    Product,
    Refund,
    SellerContact,
)
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
    order_id_of,
)

SELF_SELLER = "京选自营"
SELF_WINDOW_DAYS = 7
SHOP_WINDOW_DAYS = 15
PROTECTED_STATUSES = ("paid", "shipped", "delivered")
REFUND_REASON = PRICE_PROTECTION_REASON
PROMOTION_LABELS = {
    "flash_sale": "秒杀/限时抢购活动价",
    "plus_price": "PLUS 会员专享价",
    "coupon": "优惠券券后价",
}
_STATUS_REASONS = {
    "pending_payment": "订单尚未付款，付款后才能申请价保",
    "cancelled": "订单已取消，不支持价保",
    "refunding": "订单正在退款中，不支持价保",
    "refunded": "订单已退款，不支持价保",
}
ELIGIBLE = "eligible"


@dataclass(frozen=True)
class ItemCheck:
    """The 价保 verdict of one order item (``code`` ``eligible`` or why not)."""

    position: int
    sku: str
    name: str
    seller: str
    qty: int
    paid_price_fen: int
    current_price_fen: int | None
    code: str
    message: str
    amount_fen: int
    window_days: int
    days_since_order: int

    @property
    def eligible(self) -> bool:
        """Whether the item can be protected now."""
        return self.code == ELIGIBLE


@dataclass(frozen=True)
class PriceCheck:
    """The verdicts of every item of an order."""

    order_id: str
    items: tuple[ItemCheck, ...]

    @property
    def amount_fen(self) -> int:
        """What applying now would refund (the eligible items' differences)."""
        return sum(item.amount_fen for item in self.items if item.eligible)


@dataclass(frozen=True)
class Application:
    """A granted application: the refund and the items it protects."""

    order_id: str
    refund: Refund
    protections: tuple[PriceProtection, ...]


def window_days(seller: str, contact: SellerContact | None) -> int:
    """The shop's 价保 window in days (see the module docstring)."""
    if contact is not None:
        return int(contact.price_protection_days)
    return SELF_WINDOW_DAYS if seller == SELF_SELLER else SHOP_WINDOW_DAYS


def active_promotion(
    events: Sequence[PriceEvent], price_fen: int, now: datetime
) -> PriceEvent | None:
    """The promotion, active at ``now``, whose price is ``price_fen`` (else ``None``)."""
    for event in events:
        active = event.starts_at <= now and (event.ends_at is None or now < event.ends_at)
        if active and event.kind != "regular" and event.price_fen == price_fen:
            return event
    return None


async def _products(session: AsyncSession, skus: set[str]) -> dict[str, Product]:
    rows = await session.execute(select(Product).where(Product.sku.in_(skus)))
    return {product.sku: product for product in rows.scalars()}


async def _sellers(session: AsyncSession) -> dict[str, SellerContact]:
    rows = await session.execute(select(SellerContact))
    return {contact.seller: contact for contact in rows.scalars()}


async def _events(session: AsyncSession, skus: set[str]) -> dict[str, list[PriceEvent]]:
    rows = await session.execute(select(PriceEvent).where(PriceEvent.sku.in_(skus)))
    found: dict[str, list[PriceEvent]] = {}
    for event in rows.scalars():
        found.setdefault(event.sku, []).append(event)
    return found


async def _cheaper_elsewhere(session: AsyncSession, product: Product) -> Product | None:
    """Another shop's listing of the same product (same brand and name) at a lower price."""
    rows = await session.execute(
        select(Product)
        .where(
            Product.name == product.name,
            Product.brand == product.brand,
            Product.seller != product.seller,
            Product.price_fen < product.price_fen,
        )
        .order_by(Product.price_fen)
    )
    return rows.scalars().first()


async def _applied(session: AsyncSession, order_id: str) -> dict[int, PriceProtection]:
    rows = await session.execute(
        select(PriceProtection).where(PriceProtection.order_id == order_id)
    )
    return {row.position: row for row in rows.scalars()}


async def _check_item(
    session: AsyncSession,
    order: Order,
    item: OrderItem,
    context: tuple[dict[str, Product], dict[str, SellerContact], dict[str, list[PriceEvent]]],
    applied: dict[int, PriceProtection],
    now: datetime,
) -> ItemCheck:
    products, sellers, events = context
    product = products.get(item.sku)
    seller = product.seller if product is not None else ""
    window = window_days(seller, sellers.get(seller))
    days = max(0, int((now - order.created_at).total_seconds() // 86400))
    current = product.price_fen if product is not None else None

    def verdict(code: str, message: str, amount: int = 0) -> ItemCheck:
        return ItemCheck(
            item.position, item.sku, item.name, seller, item.qty, item.price_fen, current,
            code, message, amount, window, days,
        )  # fmt: skip

    if item.position in applied:
        done = applied[item.position]
        return verdict("already_applied", f"已申请过价保（退差价 ¥{yuan(done.amount_fen)}）")
    if order.status not in PROTECTED_STATUSES:
        return verdict("order_status", _STATUS_REASONS.get(order.status, "订单当前状态不支持价保"))
    if product is None or current is None:
        return verdict("product_unavailable", "该商品已下架，暂时无法比较价格")
    if window <= 0:
        return verdict("no_protection", f"{seller}暂不提供价保服务")
    if now - order.created_at > timedelta(days=window):
        return verdict("out_of_window", f"该商品下单已超过 {window} 天价保期（下单 {days} 天）")
    if current >= item.price_fen:
        cheaper = await _cheaper_elsewhere(session, product)
        if cheaper is not None:
            return verdict(
                "other_seller_cheaper",
                f"{seller}的这件商品当前价格 ¥{yuan(current)} 不低于您的购买价；其他店铺"
                f"（{cheaper.seller}）的同款价格更低，但价保只比较同一店铺同一商品的价格",
            )
        return verdict(
            "no_drop",
            f"当前价格 ¥{yuan(current)} 不低于您的购买价 ¥{yuan(item.price_fen)}，暂不需要价保",
        )
    promotion = active_promotion(events.get(item.sku, []), current, now)
    if promotion is not None:
        kind = PROMOTION_LABELS.get(promotion.kind, "促销活动价")
        label = f"（{promotion.label}）" if promotion.label else ""
        return verdict("promotion", f"当前价格 ¥{yuan(current)} 为{kind}{label}，不在价保范围内")
    amount = (item.price_fen - current) * item.qty
    return verdict(
        ELIGIBLE,
        f"已从 ¥{yuan(item.price_fen)} 降到 ¥{yuan(current)}，可退差价 ¥{yuan(amount)}",
        amount,
    )


async def _check_order(session: AsyncSession, order: Order, now: datetime) -> PriceCheck:
    skus = {item.sku for item in order.items}
    context = (
        await _products(session, skus),
        await _sellers(session),
        await _events(session, skus),
    )
    applied = await _applied(session, order.id)
    checks = [
        await _check_item(session, order, item, context, applied, now) for item in order.items
    ]
    return PriceCheck(order.id, tuple(checks))


async def check_price_protection(
    session: AsyncSession, order_id: str, customer_id: str, *, now: datetime | None = None
) -> PriceCheck:
    """The 价保 verdict of every item of the customer's order.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    now = current_time(now)
    order = await customer_order(session, order_id, customer_id)
    return await _check_order(session, order, now)


async def apply_price_protection(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    positions: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> Application:
    """Protects every eligible item (or those at ``positions``) and refunds the difference.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found``; 422 ``invalid_positions``;
            409 ``price_protection_exists`` (nothing left to protect, an item applied) or
            ``price_protection_not_eligible`` (the message says why, item by item).
    """
    now = current_time(now)
    if positions is not None and (
        not isinstance(positions, list)
        or not positions
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in positions)
    ):
        raise ApiError(422, "invalid_positions", "positions 应为商品序号（整数）的非空列表")
    order = await customer_order(session, order_id, customer_id)
    check = await _check_order(session, order, now)
    chosen = [i for i in check.items if positions is None or i.position in positions]
    eligible = [item for item in chosen if item.eligible]
    if not eligible:
        applied = "、".join(item.name for item in chosen if item.code == "already_applied")
        if applied:
            raise ApiError(
                409,
                "price_protection_exists",
                f"订单 {order.id} 的{applied}已申请过价保，无需重复申请",
            )
        reasons = "；".join(f"{item.name}：{item.message}" for item in chosen)
        raise ApiError(
            409,
            "price_protection_not_eligible",
            f"订单 {order.id} 暂不符合价保条件：{reasons or '没有这件商品'}",
        )
    refund = Refund(
        id=await allocate_id(session, REFUND_PREFIX),
        order_id=order.id,
        amount_fen=sum(item.amount_fen for item in eligible),
        reason=REFUND_REASON,
        status="processing",
        created_at=now,
        updated_at=now,
    )
    order.refunds.append(refund)
    await session.flush()
    protections = []
    for item in eligible:
        row = PriceProtection(
            id=await allocate_id(session, PRICE_PROTECTION_PREFIX),
            order_id=order.id,
            position=item.position,
            sku=item.sku,
            name=item.name,
            seller=item.seller,
            qty=item.qty,
            paid_price_fen=item.paid_price_fen,
            current_price_fen=item.current_price_fen,
            amount_fen=item.amount_fen,
            refund_id=refund.id,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        protections.append(row)
    return Application(order.id, refund, tuple(protections))


async def list_price_protections(
    session: AsyncSession, raw_customer_id: str, order_id: str | None = None
) -> list[tuple[PriceProtection, Refund]]:
    """The customer's applications (newest first) with their refunds; one order's if given.

    Raises:
        ApiError: 400 malformed customer or order id.
    """
    customer_id = customer_id_of(raw_customer_id)
    query = (
        select(PriceProtection, Refund)
        .join(Order, Order.id == PriceProtection.order_id)
        .join(Refund, Refund.id == PriceProtection.refund_id)
        .where(Order.customer_id == customer_id)
        .order_by(PriceProtection.created_at.desc(), PriceProtection.id.desc())
    )
    if order_id is not None:
        query = query.where(PriceProtection.order_id == order_id_of(order_id))
    rows = await session.execute(query)
    return [(protection, refund) for protection, refund in rows.all()]
