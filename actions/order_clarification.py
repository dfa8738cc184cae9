"""A message the robot did not understand that names the goods of one of the customer's orders.

"我的水壶怎么样了" (the NLU unsure between an exchange's progress and the order's status)
and "是那个水壶" (the reply to "您是想咨询下面哪个问题呢？" after "我买的东西有点问题") say
which order the customer means, even when the robot is unsure what they want done. The
clarification then names that order and its buttons carry it: one click starts the
request for the kettle, instead of "没能理解" or a question about which order.

The buttons are the requests the message itself suggests, or, for a reply to the
clarification just shown, that clarification's requests; 「查看我的订单」 becomes the
order's own status. Only for a known customer (the orders are theirs) and only when the
words name exactly one of their recent orders.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import CLARIFICATION, buttons_before_latest_message, requests_offered
from actions.named_orders import order_named_by_goods
from actions.order_questions import service_button
from actions.orders import items_summary
from actions.topics import ENTRIES
from zhike.common.topic_names import FOCUS_ORDER_SLOT

# "None of these": the two-stage fallback asks the customer to rephrase.
NONE_OF_THESE = "/out_of_scope"
ORDER_STATUS = "query_order"


async def clarify_named_order(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    buttons: list[dict[str, str]],
) -> list[dict[str, Any]] | None:
    """Asks which request the customer means for the one order their words name.

    ``buttons`` are the message's own suggestions. Returns ``None`` when it did not ask,
    else the events that put that order in focus: "能换个新的吗" typed instead of a click
    is about it.
    """
    if any(not str(button.get("payload") or "").startswith("/") for button in buttons):
        return None  # a question the knowledge base may answer is offered: keep it
    text = str((tracker.latest_message or {}).get("text") or "")
    order = await order_named_by_goods(tracker, text)
    if order is None:
        return None
    earlier = buttons_before_latest_message(tracker, CLARIFICATION)
    intents = requests_offered(earlier) or requests_offered(buttons)
    picked = [intent for intent in intents if _takes_an_order(intent, domain)] or [ORDER_STATUS]
    offered = [service_button(intent, order.order_id) for intent in dict.fromkeys(picked)]
    offered.append({"title": "都不是", "payload": NONE_OF_THESE})
    dispatcher.utter_message(
        response="utter_ask_about_named_order",
        order_id=order.order_id,
        items=items_summary(order),
        buttons=offered,
    )
    return [SlotSet(FOCUS_ORDER_SLOT, order.order_id)]


def _takes_an_order(intent: str, domain: DomainDict) -> bool:
    """Whether the form ``intent`` starts asks for an order number."""
    form = (domain.get("forms") or {}).get(ENTRIES.get(intent, "")) or {}
    return "order_id" in (form.get("required_slots") or [])
