"""Installation and repair visits: who may book, which slots, changes and cancellation.

Rules (all refusals carry a message to show to the customer as it is):

* **Installation** only for a product whose catalogue row says ``installable``, in an
  order that was delivered or is on its way (``shipped``: the visit is booked for after
  the expected delivery day); one installation per order line (a cancelled one may be
  booked again).
* **Repair** for a line of a delivered order within the product's ``warranty_days`` of
  delivery. Out of warranty the repair is refused (``out_of_warranty``, saying how many
  days it was and what the warranty is) unless the customer agrees to a **paid** repair
  (``paid=True``: a 50 yuan call-out fee plus parts, quoted on site). One open repair per
  line.
* **Slots**: a China-time day from tomorrow to 14 days ahead, ``am`` (9:00-12:00) or
  ``pm`` (13:00-18:00); each slot takes :data:`SLOT_CAPACITY` open visits. A full slot is
  refused with the nearest free ones.
* **Address and phone** default to the order's; a new address needs 8-200 characters, a
  new phone a mainland mobile number.
* **Changes and cancellation** while ``booked`` or ``assigned``, and not within 2 hours
  of the visit's start (nor after it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.formats import normalize_mobile
from zhike.common.ids import VISIT_PREFIX
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order, OrderItem, Product, Visit
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
)
from zhike.servers.backend.services.orders import delivered_at
from zhike.servers.backend.services.visit_slots import (
    OPEN_STATUSES,
    PERIODS,
    check_capacity,
    check_slot,
    earliest_day,
    free_slots,
)
from zhike.servers.backend.validation import clean_text

INSTALL, REPAIR = "install", "repair"
INSTALL_ORDER_STATUSES = ("shipped", "delivered")
ADDRESS_MIN, ADDRESS_MAX = 8, 200
PROBLEM_MAX = 500
PAID_REPAIR_NOTE = "上门检测费 50 元，维修和配件费用由师傅检测后报价，您同意后再维修"


@dataclass(frozen=True)
class ItemOption:
    """What one order line allows: installation, repair, and why not."""

    position: int
    sku: str
    name: str
    installable: bool
    install_visit_id: str | None
    warranty_days: int
    delivered_days: int | None
    in_warranty: bool


@dataclass(frozen=True)
class VisitOptions:
    """An order's visit options: its lines, defaults and the free slots."""

    order: Order
    items: tuple[ItemOption, ...]
    earliest: date
    free_slots: tuple[tuple[date, str], ...]


def parse_slot(raw_date: object, period: object) -> tuple[date, str]:
    """The slot of a request; 422 ``invalid_period`` / ``invalid_date`` when malformed."""
    if not isinstance(period, str) or period not in PERIODS:
        raise ApiError(422, "invalid_period", "上门时段应为上午（9:00–12:00）或下午（13:00–18:00）")
    try:
        day = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
    except ValueError:
        day = None
    if day is None:
        raise ApiError(422, "invalid_date", "上门日期格式不正确，应为 YYYY-MM-DD")
    return day, period


async def _products(session: AsyncSession, skus: Sequence[str]) -> dict[str, Product]:
    rows = await session.scalars(select(Product).where(Product.sku.in_(list(skus))))
    return {product.sku: product for product in rows}


async def _open_visits(session: AsyncSession, order_id: str) -> list[Visit]:
    rows = await session.scalars(
        select(Visit).where(Visit.order_id == order_id, Visit.status != "cancelled")
    )
    return list(rows)


def _delivered_days(order: Order, now: datetime) -> int | None:
    if order.status != "delivered":
        return None
    return max((now - delivered_at(order)).days, 0)


async def visit_options(
    session: AsyncSession, order_id: str, customer_id: str, *, now: datetime | None = None
) -> VisitOptions:
    """The customer's order with what each line allows and the free slots.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    now = current_time(now)
    order = await customer_order(session, order_id, customer_id)
    products = await _products(session, [item.sku for item in order.items])
    booked = {
        visit.item_position: visit.id
        for visit in await _open_visits(session, order.id)
        if visit.kind == INSTALL
    }
    days = _delivered_days(order, now)
    items = []
    for item in order.items:
        product = products.get(item.sku)
        warranty = int(product.warranty_days) if product is not None else 0
        items.append(
            ItemOption(
                position=item.position,
                sku=item.sku,
                name=item.name,
                installable=bool(product is not None and product.installable),
                install_visit_id=booked.get(item.position),
                warranty_days=warranty,
                delivered_days=days,
                in_warranty=days is not None and days <= warranty,
            )
        )
    earliest = earliest_day(order, now)
    slots = await free_slots(session, earliest, now, limit=10)
    return VisitOptions(order, tuple(items), earliest, tuple(slots))


def _pick_item(
    order: Order, kind: str, position: object, products: dict[str, Product]
) -> OrderItem:
    if position is not None:
        if not isinstance(position, int) or isinstance(position, bool):
            raise ApiError(422, "invalid_item", "商品序号应为订单中的第几件商品（从 1 开始）")
        for item in order.items:
            if item.position == position:
                return item
        raise ApiError(422, "invalid_item", f"订单 {order.id} 中没有第 {position} 件商品")
    if kind == INSTALL:
        for item in order.items:
            product = products.get(item.sku)
            if product is not None and product.installable:
                return item
    return order.items[0]


def _check_install(
    order: Order, item: OrderItem, product: Product | None, visits: list[Visit]
) -> None:
    if product is None or not product.installable:
        raise ApiError(
            409,
            "not_installable",
            f"订单 {order.id} 的「{item.name}」不需要上门安装，按说明书自行使用即可",
        )
    if order.status not in INSTALL_ORDER_STATUSES:
        reason = "还没有发货" if order.status in ("pending_payment", "paid") else "已取消或正在退款"
        raise ApiError(409, "install_not_allowed", f"订单 {order.id} {reason}，暂时不能预约安装")
    for visit in visits:
        if visit.kind == INSTALL and visit.item_position == item.position:
            raise ApiError(
                409,
                "visit_exists",
                f"订单 {order.id} 的「{item.name}」已经预约过安装（预约单 {visit.id}）",
            )


def _check_repair(
    order: Order,
    item: OrderItem,
    product: Product | None,
    visits: list[Visit],
    paid: bool,
    now: datetime,
) -> None:
    if order.status != "delivered":
        raise ApiError(409, "repair_not_allowed", f"订单 {order.id} 还没有签收，暂时不能报修")
    for visit in visits:
        if (
            visit.kind == REPAIR
            and visit.item_position == item.position
            and visit.status in OPEN_STATUSES
        ):
            raise ApiError(
                409,
                "visit_exists",
                f"订单 {order.id} 的「{item.name}」已有进行中的维修预约（预约单 {visit.id}）",
            )
    warranty = int(product.warranty_days) if product is not None else 0
    days = _delivered_days(order, now) or 0
    if days > warranty and not paid:
        if warranty == 0:
            why = f"「{item.name}」不提供保修服务"
        else:
            why = f"「{item.name}」签收已 {days} 天，超过了 {warranty} 天的保修期"
        raise ApiError(409, "out_of_warranty", f"订单 {order.id} 的{why}，可以预约付费维修")


def _contact(order: Order, address: object, phone: object) -> tuple[str, str]:
    where = str(order.shipping_address)
    if address is not None and address != "":
        text = clean_text(address, ADDRESS_MIN, ADDRESS_MAX) if isinstance(address, str) else None
        if text is None:
            raise ApiError(
                422, "invalid_address", f"上门地址需为 {ADDRESS_MIN}-{ADDRESS_MAX} 个字，请补充完整"
            )
        where = text
    who = str(order.phone)
    if phone is not None and phone != "":
        number = normalize_mobile(phone) if isinstance(phone, str) else None
        if number is None:
            raise ApiError(422, "invalid_phone", "联系电话应为 11 位手机号")
        who = number
    return where, who


async def book_visit(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    kind: str,
    visit_date: object,
    period: object,
    *,
    item_position: object = None,
    address: object = None,
    phone: object = None,
    problem: object = "",
    paid: object = False,
    now: datetime | None = None,
) -> Visit:
    """Books an installation or repair visit for one line of the customer's order.

    ``item_position`` defaults to the first installable line (installation) or the first
    line (repair); ``address`` and ``phone`` to the order's. A repair needs a
    ``problem`` description.

    Raises:
        ApiError: 422 ``invalid_kind``, ``invalid_date`` (malformed or outside tomorrow..14
            days, or before a shipped order's delivery), ``invalid_period``,
            ``invalid_item``, ``invalid_address``, ``invalid_phone``, ``invalid_problem``;
            400 malformed id; 404 ``not_found``; 409 ``not_installable``,
            ``install_not_allowed``, ``repair_not_allowed``, ``out_of_warranty``,
            ``visit_exists``, ``slot_full``.
    """
    now = current_time(now)
    if kind not in (INSTALL, REPAIR):
        raise ApiError(422, "invalid_kind", "预约类型应为安装（install）或维修（repair）")
    day, part = parse_slot(visit_date, period)
    text = ""
    if kind == REPAIR:
        described = clean_text(problem, 1, PROBLEM_MAX) if isinstance(problem, str) else None
        if described is None:
            raise ApiError(422, "invalid_problem", f"请简单描述故障情况（1-{PROBLEM_MAX} 个字）")
        text = described
    order = await customer_order(session, order_id, customer_id)
    products = await _products(session, [item.sku for item in order.items])
    item = _pick_item(order, kind, item_position, products)
    product = products.get(item.sku)
    visits = await _open_visits(session, order.id)
    if kind == INSTALL:
        _check_install(order, item, product, visits)
    else:
        _check_repair(order, item, product, visits, paid is True, now)
    earliest = earliest_day(order, now)
    check_slot(day, part, earliest, now)
    where, who = _contact(order, address, phone)
    await check_capacity(session, day, part, earliest, now)
    visit = Visit(
        id=await allocate_id(session, VISIT_PREFIX),
        order_id=order.id,
        customer_id=order.customer_id,
        item_position=item.position,
        sku=item.sku,
        product_name=item.name,
        kind=kind,
        status="booked",
        visit_date=day.isoformat(),
        period=part,
        address=where,
        phone=who,
        problem=text,
        paid=kind == REPAIR and paid is True and not _in_warranty(order, product, now),
        engineer=None,
        created_at=now,
        updated_at=now,
    )
    session.add(visit)
    await session.flush()
    return visit


def _in_warranty(order: Order, product: Product | None, now: datetime) -> bool:
    days = _delivered_days(order, now)
    return product is not None and days is not None and days <= int(product.warranty_days)


async def list_visits(
    session: AsyncSession, customer_id: str, order_id: str | None = None
) -> list[Visit]:
    """The customer's visits (optionally of one order), the most recently booked first."""
    query = select(Visit).where(Visit.customer_id == customer_id_of(customer_id))
    if order_id:
        query = query.where(Visit.order_id == str(order_id).strip().upper())
    rows = await session.scalars(query.order_by(Visit.created_at.desc(), Visit.id.desc()))
    return list(rows)
