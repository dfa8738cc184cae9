"""A plain "no" outside any task, which may still mean the customer wants out of an order.

"那算了 我不要了" right after asking where a shipped parcel is: not "never mind" but "I
don't want this order any more". A person would say what can be done for that order --
cancel it before it ships, intercept the parcel or return it once it has -- and offer
it. Anything else that says no closes the topic politely, as the rule always did.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import focus_order
from actions.order_changes import customer_order
from actions.order_offers import NOT_WANTED
from actions.order_questions import service_button
from actions.own_orders import NOT_SHIPPED
from actions.parsing import typed_text
from zhike.lib.backend_client.domain import DELIVERED, SHIPPED

# What can be done with an order the customer no longer wants, by its status.
WAYS_OUT = {
    **{status: ("还没发货，可以直接取消订单", ("cancel_order",)) for status in NOT_SHIPPED},
    SHIPPED: (
        "已经发货了，可以申请拦截包裹，退回仓库后原路退款；也可以签收后申请退货退款",
        ("intercept_parcel", "request_refund"),
    ),
    DELIVERED: ("已经签收了，可以申请退货退款", ("request_refund",)),
}


class ActionPlainNo(Action):
    """A plain no: "不用了" closes the topic, "我不要了" offers the order in focus a way out."""

    def name(self) -> str:
        """See the base class."""
        return "action_plain_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Offers cancelling, intercepting or returning the order in focus, or says 好的."""
        text = typed_text((tracker.latest_message or {}).get("text"))
        order_id = focus_order(tracker) if NOT_WANTED.search(text) else None
        order = (await customer_order(tracker, order_id))[1] if order_id else None
        found = WAYS_OUT.get(order.status) if order is not None else None
        if order is None or found is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        how, intents = found
        dispatcher.utter_message(
            response="utter_order_not_wanted", order_id=order.order_id, how=how
        )
        dispatcher.utter_message(
            response="utter_order_services_offer",
            buttons=[service_button(intent, order.order_id) for intent in intents],
        )
        return []
