"""Order status and logistics lookup."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ZhikeFormValidationAction
from actions.parsing import parse_order_id
from actions.services import orders_client
from zhike.backend_client import BackendError, BackendUnavailable, Order

logger = logging.getLogger(__name__)

CHINA_TZ = ZoneInfo("Asia/Shanghai")

STATUS_LABELS = {
    "pending_payment": "待付款",
    "paid": "已付款，等待发货",
    "shipped": "已发货，正在运输中",
    "delivered": "已签收",
    "cancelled": "已取消",
    "refunding": "退款处理中",
    "refunded": "已退款",
}


def status_label(status: str) -> str:
    """The customer-facing Chinese label of an order status code."""
    return STATUS_LABELS.get(status, "处理中")


def items_summary(order: Order) -> str:
    """``"iPhone 15 手机壳"`` or ``"iPhone 15 手机壳等3件商品"``."""
    if not order.items:
        return "订单商品"
    first = order.items[0].name
    count = sum(item.quantity for item in order.items)
    return first if count <= 1 else f"{first}等{count}件商品"


def format_time(moment: datetime | None) -> str:
    """``"11月24日 18:05"`` in China time; naive datetimes are taken as UTC."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def format_date(moment: datetime | None) -> str:
    """``"11月26日"`` in China time, or ``"暂未确定"``."""
    if moment is None:
        return "暂未确定"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日"


class ValidateOrderIdForm(ZhikeFormValidationAction):
    """Validates the order number the user gives in ``order_id_form``."""

    def name(self) -> str:
        """See the base class."""
        return "validate_order_id_form"

    async def validate_order_id(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts HP + 8 digits in any case or width; anything else is re-asked."""
        order_id = parse_order_id(value) or parse_order_id(self.latest_text(tracker))
        if order_id is None:
            return self.reject("order_id", dispatcher)
        return {"order_id": order_id}


class ActionOrderStatus(Action):
    """Tells the status (and logistics, once shipped) of the order in slot ``order_id``.

    Reads the order through the orders client; never shows personal data (name, phone,
    address). The slot is cleared afterwards so the next lookup asks for its number.
    """

    def name(self) -> str:
        """See the base class."""
        return "action_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Looks the order up and answers; backend faults become a polite apology."""
        order_id = parse_order_id(tracker.get_slot("order_id"))
        if order_id is None:
            dispatcher.utter_message(response="utter_ask_order_id")
            return [SlotSet("order_id", None)]
        try:
            order = await orders_client().get_order(order_id)
        except BackendUnavailable as error:
            logger.warning("Order lookup for %s failed: %s", order_id, error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("order_id", None)]
        except BackendError as error:
            logger.error("Order lookup for %s was refused: %s", order_id, error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("order_id", None)]
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]

        dispatcher.utter_message(
            response="utter_order_status",
            order_id=order.order_id,
            items=items_summary(order),
            status_label=status_label(order.status),
        )
        logistics = order.logistics
        if logistics is not None and logistics.tracking_number:
            latest = logistics.events[-1] if logistics.events else None
            dispatcher.utter_message(
                response="utter_order_logistics",
                courier=logistics.courier,
                tracking_number=logistics.tracking_number,
                latest_event=(
                    f"{format_time(latest.time)} {latest.description}" if latest else "暂无物流更新"
                ),
                eta=format_date(logistics.eta) if order.status == "shipped" else "已送达",
            )
        return [SlotSet("order_id", None)]
