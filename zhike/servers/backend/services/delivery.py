"""Delivery changes: intercept or return a parcel, delivery windows, receiver phone, pickups.

The rules, per courier and parcel state:

* **Interception (拦截) / return to sender (退回)**: an order that has not shipped needs no
  interception (cancel it instead); a parcel in transit can be intercepted (some couriers
  charge a fee, :data:`COURIERS`); once out for delivery (派送中) only couriers that
  support it accept; a delivered parcel cannot be intercepted (return it instead). The
  request starts ``requested`` and the courier's answer makes it ``intercepted`` or
  ``failed`` (:func:`settle_interception`).
* **Delivery window (预约配送)**: a day from tomorrow to 7 days ahead and a slot (上午,
  下午, 晚上), for orders not delivered nor out for delivery, when the order holds a large
  appliance or its courier delivers by appointment.
* **Receiver phone**: a valid mainland mobile number, until the parcel is delivered.
* **Return pickup (上门取件)**: see :mod:`zhike.servers.backend.services.pickups`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.formats import normalize_mobile, yuan
from zhike.common.ids import DELIVERY_CHANGE_PREFIX
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order, Product
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
    not_found,
    order_id_of,
)
from zhike.servers.backend.tables.delivery import DeliveryChange

CHINA_TZ = ZoneInfo("Asia/Shanghai")
WINDOW_DAYS = 7
DELIVERY_SLOTS = {
    "am": "上午（9:00-12:00）",
    "pm": "下午（13:00-18:00）",
    "evening": "晚上（18:00-21:00）",
}
PICKUP_SLOTS = {"am": "上午（9:00-12:00）", "pm": "下午（13:00-18:00）"}
INTERCEPT_KINDS = ("intercept", "return")
OPEN_INTERCEPTION = ("requested", "intercepted")
NOT_SHIPPED = ("pending_payment", "paid")
CLOSED = ("cancelled", "refunding", "refunded")
LARGE_CATEGORIES = ("appliance",)


@dataclass(frozen=True)
class CourierRules:
    """What a courier allows: interception fee, interception out for delivery, appointments."""

    intercept_fee_fen: int
    intercept_out_for_delivery: bool
    appointments: bool


COURIERS: dict[str, CourierRules] = {
    "SF": CourierRules(1000, True, True),
    "JD": CourierRules(0, True, True),
    "EMS": CourierRules(0, False, False),
    "ZTO": CourierRules(0, False, False),
    "YTO": CourierRules(0, False, False),
    "YD": CourierRules(0, False, False),
    "STO": CourierRules(0, False, False),
}
UNKNOWN_COURIER = CourierRules(0, False, False)


def courier_rules(code: str | None) -> CourierRules:
    """The rules of the courier with ``code`` (unknown couriers allow the least)."""
    return COURIERS.get((code or "").upper(), UNKNOWN_COURIER)


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def window_day(raw: Any, now: datetime) -> date:
    """The ISO day ``raw`` when it lies from tomorrow to 7 days ahead (China time).

    Raises:
        ApiError: 422 ``invalid_date`` (not ``YYYY-MM-DD``) or ``date_out_of_window``.
    """
    try:
        day = date.fromisoformat(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        day = None
    if day is None:
        raise ApiError(422, "invalid_date", "日期格式不正确：应为 YYYY-MM-DD，如 2024-12-08")
    today = now.astimezone(CHINA_TZ).date()
    first, last = today + timedelta(days=1), today + timedelta(days=WINDOW_DAYS)
    ahead = (day - today).days
    if ahead < 1:
        when = "就是今天" if ahead == 0 else "已经过去了"
        raise ApiError(
            422,
            "date_out_of_window",
            f"{_day_label(day)}{when}，只能预约明天起 {WINDOW_DAYS} 天内的日期"
            f"（{_day_label(first)}至{_day_label(last)}）",
        )
    if ahead > WINDOW_DAYS:
        raise ApiError(
            422,
            "date_out_of_window",
            f"{_day_label(day)}距今 {ahead} 天，只能预约 {WINDOW_DAYS} 天内的日期"
            f"（{_day_label(first)}至{_day_label(last)}）",
        )
    return day


def slot_code(raw: Any, slots: dict[str, str], what: str) -> str:
    """``raw`` when it is one of ``slots``; else 422 ``invalid_slot`` naming the choices."""
    if isinstance(raw, str) and raw in slots:
        return raw
    names = "、".join(label.split("（")[0] for label in slots.values())
    raise ApiError(422, "invalid_slot", f"{what}只能选择{names}")


async def new_change(
    session: AsyncSession, order: Order, kind: str, status: str, now: datetime, **fields: Any
) -> DeliveryChange:
    """Adds a delivery change of ``order`` (a new ``DC`` id) in the caller's transaction."""
    change = DeliveryChange(
        id=await allocate_id(session, DELIVERY_CHANGE_PREFIX),
        order_id=order.id,
        kind=kind,
        status=status,
        created_at=now,
        updated_at=now,
        **{"fee_fen": 0, **fields},
    )
    session.add(change)
    await session.flush()
    return change


async def _changes(session: AsyncSession, order_id: str) -> list[DeliveryChange]:
    result = await session.execute(
        select(DeliveryChange)
        .where(DeliveryChange.order_id == order_id)
        .order_by(DeliveryChange.created_at, DeliveryChange.id)
    )
    return list(result.scalars())


async def _open_interception(session: AsyncSession, order_id: str) -> DeliveryChange | None:
    found = [
        change
        for change in await _changes(session, order_id)
        if change.kind in INTERCEPT_KINDS and change.status in OPEN_INTERCEPTION
    ]
    return found[-1] if found else None


def _delivered(order: Order) -> bool:
    logistics = order.logistics
    return order.status == "delivered" or (
        logistics is not None and logistics.status == "delivered"
    )


def _out_for_delivery(order: Order) -> bool:
    return order.logistics is not None and order.logistics.status == "out_for_delivery"


async def request_interception(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    kind: str = "intercept",
    *,
    now: datetime | None = None,
) -> DeliveryChange:
    """Asks the courier to stop a shipped parcel and send it back (``requested``).

    Raises:
        ApiError: 422 ``invalid_kind``; 400 malformed id; 404 ``not_found``; 409
            ``not_shipped`` (cancel instead), ``already_delivered`` (return instead),
            ``interception_not_allowed`` (cancelled or refunding), ``interception_exists``
            or ``courier_cannot_intercept`` (out for delivery with such a courier).
    """
    now = current_time(now)
    if kind not in INTERCEPT_KINDS:
        raise ApiError(422, "invalid_kind", "申请类型应为拦截（intercept）或退回（return）")
    order = await customer_order(session, order_id, customer_id)
    if order.status in NOT_SHIPPED:
        raise ApiError(
            409,
            "not_shipped",
            f"订单 {order.id} 还没有发货，不需要拦截，直接取消订单即可，已付款项会原路退回",
        )
    if _delivered(order):
        raise ApiError(
            409,
            "already_delivered",
            f"订单 {order.id} 已经签收，包裹无法再拦截；"
            "如不想要了，可以在签收后 7 天内申请退货退款",
        )
    if order.status in CLOSED or order.logistics is None:
        raise ApiError(
            409, "interception_not_allowed", f"订单 {order.id} 已取消或正在退款，无需拦截包裹"
        )
    existing = await _open_interception(session, order.id)
    if existing is not None:
        state = "已拦截成功" if existing.status == "intercepted" else "处理中"
        raise ApiError(
            409,
            "interception_exists",
            f"订单 {order.id} 已提交过拦截申请（{existing.id}，{state}），无需重复申请",
        )
    logistics = order.logistics
    rules = courier_rules(logistics.courier_code)
    if _out_for_delivery(order) and not rules.intercept_out_for_delivery:
        raise ApiError(
            409,
            "courier_cannot_intercept",
            f"订单 {order.id} 的包裹已在派送中，{logistics.courier}不支持派送途中拦截；"
            "您可以在快递员派送时直接拒收，包裹退回仓库后为您办理退款",
        )
    note = (
        f"{logistics.courier}拦截需支付服务费 {yuan(rules.intercept_fee_fen)} 元，从退款中扣除"
        if rules.intercept_fee_fen
        else f"{logistics.courier}拦截免费"
    )
    return await new_change(
        session, order, kind, "requested", now, fee_fen=rules.intercept_fee_fen, note=note
    )


async def settle_interception(
    session: AsyncSession,
    change_id: str,
    intercepted: bool,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> DeliveryChange:
    """Records the courier's answer: ``intercepted`` (the parcel goes back) or ``failed``.

    Raises:
        ApiError: 404 ``not_found``; 409 ``interception_not_pending`` unless ``requested``.
    """
    now = current_time(now)
    change = await session.get(DeliveryChange, change_id)
    if change is None or change.kind not in INTERCEPT_KINDS:
        raise not_found()
    if change.status != "requested":
        raise ApiError(409, "interception_not_pending", f"拦截申请 {change.id} 已有处理结果")
    change.status = "intercepted" if intercepted else "failed"
    change.note = note or ("包裹已拦截，正在退回仓库" if intercepted else "快递公司未能拦截包裹")
    change.updated_at = now
    if intercepted:
        logistics = await queries.get_logistics(session, change.order_id)
        if logistics is not None:
            logistics.status = "returning"
    await session.flush()
    return change


async def list_changes(
    session: AsyncSession, order_id: str, customer_id: str
) -> list[DeliveryChange]:
    """The delivery changes of the customer's order, oldest first.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    oid, cid = order_id_of(order_id), customer_id_of(customer_id)
    order = await queries.get_order(session, oid)
    if order is None or order.customer_id != cid:
        raise not_found(f"未找到您名下的订单 {oid}")
    return await _changes(session, oid)


async def _large(session: AsyncSession, order: Order) -> bool:
    skus = [item.sku for item in order.items]
    if not skus:
        return False
    found = await session.scalar(
        select(Product.sku)
        .where(Product.sku.in_(skus), Product.category.in_(LARGE_CATEGORIES))
        .limit(1)
    )
    return found is not None


async def schedule_delivery(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    day: Any,
    slot: Any,
    *,
    now: datetime | None = None,
) -> DeliveryChange:
    """Chooses the delivery day and slot of an order not yet delivered (预约配送).

    Raises:
        ApiError: 422 ``invalid_date``, ``date_out_of_window`` or ``invalid_slot``; 400
            malformed id; 404 ``not_found``; 409 ``already_delivered``,
            ``delivery_window_not_allowed`` (unpaid, cancelled, refunding, intercepted),
            ``out_for_delivery`` or ``appointment_not_supported``.
    """
    now = current_time(now)
    chosen = window_day(day, now)
    code = slot_code(slot, DELIVERY_SLOTS, "配送时段")
    order = await customer_order(session, order_id, customer_id)
    if _delivered(order):
        raise ApiError(409, "already_delivered", f"订单 {order.id} 已经签收，无需再预约配送时间")
    if order.status in (*CLOSED, "pending_payment"):
        raise ApiError(
            409,
            "delivery_window_not_allowed",
            f"订单 {order.id} 未付款、已取消或正在退款，无法预约配送时间",
        )
    if await _open_interception(session, order.id) is not None:
        raise ApiError(
            409, "delivery_window_not_allowed", f"订单 {order.id} 的包裹正在拦截退回，无法预约配送"
        )
    if _out_for_delivery(order):
        raise ApiError(
            409,
            "out_for_delivery",
            f"订单 {order.id} 的包裹今天已在派送中，无法再改约时间；"
            "可以联系快递员约定，或回复「转人工」由人工客服协助",
        )
    logistics = order.logistics
    by_appointment = logistics is not None and courier_rules(logistics.courier_code).appointments
    if not by_appointment and not await _large(session, order):
        courier = f"{logistics.courier}配送的" if logistics is not None else ""
        raise ApiError(
            409,
            "appointment_not_supported",
            f"订单 {order.id} 是{courier}小件包裹，暂不支持预约配送时间；"
            "预约配送适用于大家电等大件商品，以及京东物流、顺丰配送的订单",
        )
    return await new_change(
        session,
        order,
        "delivery_window",
        "done",
        now,
        window_date=chosen.isoformat(),
        window_slot=code,
    )


async def change_receiver_phone(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    phone: Any,
    *,
    now: datetime | None = None,
) -> DeliveryChange:
    """Changes the receiver's phone of an order not yet delivered.

    Raises:
        ApiError: 422 ``invalid_phone``; 400 malformed id; 404 ``not_found``; 409
            ``already_delivered``, ``phone_not_changeable`` (cancelled, refunding,
            intercepted) or ``same_phone``.
    """
    now = current_time(now)
    number = normalize_mobile(phone) if isinstance(phone, str) else None
    if number is None:
        raise ApiError(422, "invalid_phone", "收货电话应为 11 位中国大陆手机号，如 13912345678")
    order = await customer_order(session, order_id, customer_id)
    if _delivered(order):
        raise ApiError(409, "already_delivered", f"订单 {order.id} 已经签收，无法再修改收货电话")
    if order.status in CLOSED:
        raise ApiError(
            409, "phone_not_changeable", f"订单 {order.id} 已取消或正在退款，无需修改收货电话"
        )
    if await _open_interception(session, order.id) is not None:
        raise ApiError(
            409, "phone_not_changeable", f"订单 {order.id} 的包裹正在拦截退回，无需修改收货电话"
        )
    if number == order.phone:
        raise ApiError(409, "same_phone", "新号码和原来的收货电话一样，无需修改")
    order.phone = number
    order.updated_at = now
    note = "快递员已在派送途中，新号码已同步给快递员" if _out_for_delivery(order) else None
    return await new_change(session, order, "receiver_phone", "done", now, phone=number, note=note)
