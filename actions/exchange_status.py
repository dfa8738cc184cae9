"""How far an exchange is (换货进度): pickup, the new item's courier, done."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.orders import ValidateOrderIdForm, slot_order
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from zhike.lib.backend_client import BackendUnavailable
from zhike.lib.backend_client.exchanges import Exchange

STATUS_TEXT = {
    "requested": "已受理，快递员将于 {pickup_date} {pickup_slot} 上门取件，取件后为您寄出新商品。",
    "picked_up": "旧商品已由快递员取走，仓库收到后会尽快为您寄出新商品。",
    "reshipped": "新商品已寄出：{courier}，运单号 {tracking_number}，请留意查收。",
    "completed": "换货已完成，新商品已签收。",
}


class ValidateExchangeStatusForm(ValidateOrderIdForm):
    """Like the order lookup: anonymous users prove the phone's last 4 digits."""

    def name(self) -> str:
        """See the base class."""
        return "validate_exchange_status_form"


def exchange_progress(exchange: Exchange) -> str:
    """Where the exchange is, in words (pickup window, the new item's courier)."""
    template = STATUS_TEXT.get(exchange.status, "处理中。")
    return template.format(
        pickup_date=exchange.pickup_date,
        pickup_slot=exchange.pickup_slot,
        courier=exchange.courier or "快递",
        tracking_number=exchange.tracking_number or "（暂无）",
    )


class ActionExchangeStatus(FormSubmitAction):
    """Tells how far the order's latest exchange is."""

    form_slots = ("order_id",)

    def name(self) -> str:
        """See the base class."""
        return "action_exchange_status"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The latest exchange of a visible order."""
        events: list[dict[str, Any]] = []
        order = await slot_order(tracker, dispatcher, events)
        if order is None:
            return events
        try:
            found = await backend().list_exchanges(order.order_id)
        except BackendUnavailable:
            summary = f"查询订单 {order.order_id} 的换货进度失败"
            return await apologise(dispatcher, tracker, "order", summary, order.customer_id)
        if not found:
            dispatcher.utter_message(response="utter_no_exchange", order_id=order.order_id)
            return []
        latest = found[-1]
        dispatcher.utter_message(
            response="utter_exchange_status",
            order_id=order.order_id,
            exchange_id=latest.exchange_id,
            progress=exchange_progress(latest),
        )
        return []
