"""The customer's list of orders, all of them or those the question picks.

"我最近都买了啥" lists the newest orders; "哪些还没收到" right after (or alone) lists the
orders not received yet (not paid, paid, shipped), "几个单子在路上" the shipped ones,
"哪些已经签收了" the delivered ones, "哪些还没发货" those not shipped yet. Each is a
button that looks the order up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import remind_active_form
from actions.orders import order_buttons
from actions.own_orders import NOT_SHIPPED, ON_ITS_WAY, recent_orders
from actions.submit import apologise
from actions.verify_first import verify_first
from zhike.lib.backend_client import BackendUnavailable, Order
from zhike.lib.backend_client.domain import DELIVERED, SHIPPED

logger = logging.getLogger(__name__)

# As many buttons as a picked list may need: the not-received ones are rarely more.
PICKED_ORDERS = 8
# (words of the question, what the list is called, the states it keeps), first fit wins
_PICKS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"(?:没|未)(?:有)?发货|还没发|待发货"), "还没发货", NOT_SHIPPED),
    (re.compile(r"在路上|运输中|在途|已经?发货"), "正在路上", (SHIPPED,)),
    (re.compile(r"(?:没|未)(?:有)?(?:收到|到货|签收|送到|到)"), "还没收到", ON_ITS_WAY),
    (re.compile(r"已经?(?:签收|收到|到货)|签收了|收到了|到了的"), "已经签收", (DELIVERED,)),
)


def picked_by_words(text: str) -> tuple[str, tuple[str, ...]] | None:
    """What the question asks the list to keep: its name and the order states, if any."""
    for words, name, states in _PICKS:
        if words.search(text or ""):
            return name, states
    return None


class ActionListOrders(Action):
    """Lists the identified customer's recent orders (an anonymous sender is verified first)."""

    def name(self) -> str:
        """See the base class."""
        return "action_list_orders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Buttons for the newest orders, or for those the question picks."""
        try:
            orders = await recent_orders(tracker)
        except BackendUnavailable as error:
            logger.warning("Listing orders failed: %s", error)
            return await apologise(dispatcher, tracker, "order", "查询订单列表失败", None)
        if orders is None:
            events = verify_first(dispatcher, tracker)
            if events:
                return events
        elif not orders:
            dispatcher.utter_message(response="utter_no_orders")
        else:
            _list(dispatcher, orders, str((tracker.latest_message or {}).get("text") or ""))
        remind_active_form(dispatcher, tracker)
        return []


def _list(dispatcher: CollectingDispatcher, orders: list[Order], text: str) -> None:
    """The orders the words pick ("哪些还没收到"), else the newest ones."""
    picked = picked_by_words(text)
    if picked is None:
        dispatcher.utter_message(response="utter_recent_orders", buttons=order_buttons(orders))
        return
    which, states = picked
    kept = [order for order in orders if order.status in states]
    if not kept:
        dispatcher.utter_message(response="utter_no_orders_which", which=which)
        return
    dispatcher.utter_message(
        response="utter_orders_which",
        which=which,
        buttons=order_buttons(kept, PICKED_ORDERS),
    )
