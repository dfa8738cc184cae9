"""Contacts: the courier of a parcel on its way, and how to reach the shop of an order.

The courier's contact is given to the order's owner only, and only while the parcel is
on its way (logistics ``in_transit`` or ``out_for_delivery``): before shipment there is
no courier yet, after delivery the courier's part is done. The courier's own phone is
never given out in full: a virtual number with an extension when the courier company
provides one, else the phone masked as couriers do (``138****5678``).

A shop (``seller_contacts``) is reached through its service channel: 京选自营 through
京选客服 in this very chat, a third-party shop through its 店铺客服 (hours and phone).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.privacy import mask_phone
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import CourierContact, Product, SellerContact
from zhike.servers.backend.services.common import customer_order

ON_THE_WAY = ("in_transit", "out_for_delivery")
SELF_CHANNEL = "京选客服（就在当前对话）"
SELF_HOURS = "智能客服 24 小时在线，人工客服每天 9:00–21:00"
SHOP_CHANNEL = "店铺客服（商品页或订单页的「联系卖家」）"
SHOP_HOURS = "每天 9:00–21:00"


@dataclass(frozen=True)
class CourierAnswer:
    """Whether the courier can be contacted now, and how (``code`` ``available`` or why not)."""

    order_id: str
    code: str
    message: str
    company: str | None = None
    tracking_number: str | None = None
    name: str | None = None
    phone_masked: str | None = None
    virtual_number: str | None = None
    extension: str | None = None
    station: str | None = None

    @property
    def available(self) -> bool:
        """Whether a contact is given."""
        return self.code == "available"


@dataclass(frozen=True)
class MerchantContact:
    """How to reach one shop (and which of the order's items it sold)."""

    seller: str
    self_operated: bool
    channel: str
    hours: str
    phone: str | None
    items: tuple[str, ...] = ()


async def courier_contact(session: AsyncSession, order_id: str, customer_id: str) -> CourierAnswer:
    """The courier of the customer's order while it is on its way (see the module docstring).

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    order = await customer_order(session, order_id, customer_id)
    logistics = order.logistics
    if order.status in ("pending_payment", "paid") or logistics is None:
        if order.status in ("cancelled", "refunded", "refunding"):
            return CourierAnswer(order.id, "closed", "订单已取消或正在退款，没有派送中的包裹")
        return CourierAnswer(order.id, "not_shipped", "订单还没有发货，暂时没有快递员信息")
    base = {"company": logistics.courier, "tracking_number": logistics.tracking_number}
    if logistics.status == "delivered" or order.status == "delivered":
        return CourierAnswer(
            order.id, "delivered", "包裹已经签收，派送已完成，不再提供快递员的联系方式", **base
        )
    if logistics.status not in ON_THE_WAY:
        return CourierAnswer(
            order.id, "not_on_the_way", "包裹当前不在派送途中，暂时没有快递员信息", **base
        )
    courier = await session.get(CourierContact, order.id)
    if courier is None:
        return CourierAnswer(
            order.id,
            "not_assigned",
            f"包裹还在转运途中，尚未分配派送快递员，可以联系{logistics.courier}客服查询",
            **base,
        )
    return CourierAnswer(
        order.id,
        "available",
        "快递员正在派送" if courier.stage == "delivery" else "包裹正在运输途中",
        name=courier.name,
        phone_masked=mask_phone(courier.phone),
        virtual_number=courier.virtual_number,
        extension=courier.extension,
        station=courier.station,
        **base,
    )


def _contact(
    seller: str, row: SellerContact | None, items: tuple[str, ...] = ()
) -> MerchantContact:
    if row is None:
        own = seller == "京选自营"
        return MerchantContact(
            seller, own, SELF_CHANNEL if own else SHOP_CHANNEL,
            SELF_HOURS if own else SHOP_HOURS, None, items,
        )  # fmt: skip
    return MerchantContact(
        seller, bool(row.self_operated), row.channel, row.hours, row.phone, items
    )


async def _seller_rows(session: AsyncSession, sellers: set[str]) -> dict[str, SellerContact]:
    rows = await session.execute(select(SellerContact).where(SellerContact.seller.in_(sellers)))
    return {row.seller: row for row in rows.scalars()}


async def order_merchants(
    session: AsyncSession, order_id: str, customer_id: str
) -> list[MerchantContact]:
    """The shops of the customer's order, each with the item names it sold.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    order = await customer_order(session, order_id, customer_id)
    skus = {item.sku for item in order.items}
    rows = await session.execute(select(Product.sku, Product.seller).where(Product.sku.in_(skus)))
    seller_of = dict(rows.all())
    names: dict[str, list[str]] = {}
    for item in order.items:
        names.setdefault(seller_of.get(item.sku, "京选自营"), []).append(item.name)
    contacts = await _seller_rows(session, set(names))
    return [_contact(seller, contacts.get(seller), tuple(items)) for seller, items in names.items()]


async def product_merchant(session: AsyncSession, sku: str) -> MerchantContact:
    """The shop selling ``sku``.

    Raises:
        ApiError: 404 ``product_not_found``.
    """
    product = await session.get(Product, (sku or "").strip())
    if product is None:
        raise ApiError(404, "product_not_found", f"商品 {sku} 不存在")
    contacts = await _seller_rows(session, {product.seller})
    return _contact(product.seller, contacts.get(product.seller), (product.name,))
