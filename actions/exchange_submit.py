"""The exchange's last step: the request sent to the backend once the customer confirms.

The form (:mod:`actions.exchanges`) has the order, the reason and, for a size or colour,
the variant; this action requests the exchange and says when the courier comes for the
old item and where (the address masked).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.exchange_parsing import DEFECT, variant_label
from actions.exchanges import ALTERNATIVES, NOT_ALLOWED, REASON_LABELS
from actions.order_changes import CustomerOrderChange
from actions.services import backend
from zhike.common.privacy import mask_address
from zhike.lib.backend_client import BackendError


class ActionRequestExchange(CustomerOrderChange):
    """Opens the exchange; says the pickup window and what is sent back."""

    form_slots = ("order_id", "exchange_reason", "exchange_sku", "exchange_wish")
    declined_response = "utter_exchange_not_requested"

    def name(self) -> str:
        """See the base class."""
        return "action_request_exchange"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Requests it; the reply masks the pickup address."""
        reason = str(tracker.get_slot("exchange_reason") or DEFECT)
        sku = tracker.get_slot("exchange_sku") if reason != DEFECT else None
        check = await backend().check_exchange(order_id, customer_id)
        note = str(tracker.get_slot("exchange_wish") or REASON_LABELS.get(reason, ""))
        exchange = await backend().request_exchange(order_id, customer_id, reason, sku, note)
        order = await backend().get_order(order_id)
        new_item = "同款新品"
        if check is not None and reason != DEFECT:
            chosen = next((v for v in check.variants if v.sku == exchange.new_sku), None)
            new_item = variant_label(chosen) if chosen is not None else exchange.new_sku
        dispatcher.utter_message(
            response="utter_exchange_requested",
            exchange_id=exchange.exchange_id,
            new_item=new_item,
            pickup_date=exchange.pickup_date,
            pickup_slot=exchange.pickup_slot,
            masked_address=mask_address(order.shipping_address) if order else "原收货地址",
        )
        return []

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """The backend's reason (window, stock, ...) and what to do instead."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        dispatcher.utter_message(
            response=NOT_ALLOWED,
            reason=error.message,
            alternative=ALTERNATIVES.get(error.code or "", ""),
        )
        return []
