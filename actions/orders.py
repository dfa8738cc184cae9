"""Order lookups: status and logistics, my recent orders, who may see which order."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ORDER_PROOF, with_proof
from actions.complaints import add_to_recent_complaint, names_the_complaints_order
from actions.context import (
    said_before_latest_message,
    slot_before_latest_message,
)
from actions.dates import format_date, format_time
from actions.form_binding import NO_PHONE, aside
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify, known_customer_id
from actions.named_orders import named_first, said_for_the_form, the_one_named
from actions.order_offers import offer_order_services
from actions.order_questions import named_services, say_not_shipped_yet, say_urged
from actions.order_rules import status_label
from actions.own_orders import (
    form_asking,
    orders_for,
    proved_orders,
    recent_orders,
    seen_order,
)
from actions.parsing import parse_order_id, parse_phone_last4
from actions.refund_progress import say_refund_urged
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from actions.visit_times import not_installed_yet
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.common.urges import URGES
from zhike.lib.backend_client import BackendError, BackendUnavailable, Order
from zhike.lib.backend_client.visits.domain import INSTALL

logger = logging.getLogger(__name__)

RECENT_ORDERS = 5


def items_summary(order: Order) -> str:
    """``"iPhone 15 手机壳"`` or ``"iPhone 15 手机壳等3件商品"``."""
    if not order.items:
        return "订单商品"
    first = order.items[0].name
    count = sum(item.quantity for item in order.items)
    return first if count <= 1 else f"{first}等{count}件商品"


async def visible_order(
    tracker: Tracker,
    order_id: str,
    dispatcher: CollectingDispatcher,
    events: list[dict[str, Any]],
) -> Order | None:
    """The order if the sender may see it; else tells them it was not found.

    Another customer's order is answered exactly like an unknown one. A backend fault is
    apologised for (with a ticket when possible, whose events are added to ``events``)
    and also gives ``None``.
    """
    try:
        order = await seen_order(tracker, order_id)
    except BackendUnavailable as error:
        logger.warning("Order lookup for %s failed: %s", order_id, error)
        events += await apologise(dispatcher, tracker, "order", f"查询订单 {order_id} 失败", None)
        return None
    except BackendError as error:
        logger.error("Order lookup for %s was refused: %s", order_id, error)
        order = None
    if order is None:
        dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
        # not the customer's: "那我自己的订单呢" must not mean this number again
        events.append(SlotSet(FOCUS_ORDER_SLOT, None))
    return order


async def order_if_visible(tracker: Tracker, order_id: str) -> Order | None:
    """:func:`seen_order`, with a failed lookup as ``None``.

    For answering in passing (in the middle of a form), where "not found" would be wrong
    for an order the customer simply has not proved yet.
    """
    try:
        return await seen_order(tracker, order_id)
    except BackendError as error:
        logger.warning("Order lookup for %s failed: %s", order_id, error)
        return None


async def slot_order(
    tracker: Tracker, dispatcher: CollectingDispatcher, events: list[dict[str, Any]]
) -> Order | None:
    """The visible order of slot ``order_id`` (see :func:`visible_order`).

    Without a valid order number in the slot the user is asked for one and ``None`` is
    returned.
    """
    order_id = parse_order_id(tracker.get_slot("order_id"))
    if order_id is None:
        dispatcher.utter_message(response="utter_ask_order_id")
        return None
    return await visible_order(tracker, order_id, dispatcher, events)


class ValidateOrderIdForm(ZhikeFormValidationAction):
    """Asks for the order number; an anonymous user also proves the phone's last 4 digits.

    5 wrong tries lock the order for this sender for 15 minutes (kept by the backend).
    """

    def name(self) -> str:
        """See the base class."""
        return "validate_order_id_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Adds ``phone_last4`` for an anonymous user and an order not proved yet."""
        try:
            identity = await identify(tracker)
        except BackendUnavailable:
            return domain_slots
        order_id = tracker.get_slot("order_id")
        if identity.customer_id is None and order_id not in proved_orders(tracker):
            return [*domain_slots, "phone_last4"]
        return domain_slots

    async def extract_phone_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's answer when the last 4 digits were asked (or what they say instead)."""
        return self.aside_answer("phone_last4", tracker) or self.text_answer("phone_last4", tracker)

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Checks the digits with the backend, which counts wrong tries per sender."""
        last4 = parse_phone_last4(value)
        order_id = tracker.get_slot("order_id")
        if last4 is None and aside(value, "phone_last4") == NO_PHONE:
            dispatcher.utter_message(response="utter_bind_phone_unknown")  # a human can check
            return {"phone_last4": None, "form_gave_up": True}
        if last4 is None or not order_id:
            return self.reject("phone_last4", dispatcher, tracker)
        try:
            identity = await identify(tracker)
            check = await backend().check_order_phone(order_id, last4, identity.requester)
        except BackendError as error:
            logger.warning("Phone check for %s failed: %s", order_id, error)
            await apologise(dispatcher, tracker, "order", f"订单 {order_id} 身份验证失败", None)
            return {"phone_last4": None, "form_gave_up": True}
        if check.verified:
            verified = with_proof(
                ORDER_PROOF, tracker.get_slot("verified_orders"), order_id, tracker.sender_id
            )
            return {"phone_last4": "verified", "verified_orders": verified}
        if check.locked_until is not None or check.attempts_left <= 0:
            dispatcher.utter_message(response="utter_order_locked")
            return {"phone_last4": None, "form_gave_up": True}
        dispatcher.utter_message(
            response="utter_phone_last4_wrong", attempts_left=check.attempts_left
        )
        return {"phone_last4": None}


class ActionOrderStatus(FormSubmitAction):
    """Tells the status (and logistics, once shipped) of the order in slot ``order_id``.

    Only to a sender who may see the order (:func:`may_see`); never shows personal data
    (name, phone, address). For a logistics question it adds the latest tracking events.
    """

    form_slots = ("order_id",)

    def name(self) -> str:
        """See the base class."""
        return "action_order_status"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Looks the order up and answers; faults become a polite apology."""
        events: list[dict[str, Any]] = []
        order = await slot_order(tracker, dispatcher, events)
        if order is None:
            return events
        if names_the_complaints_order(tracker) and await add_to_recent_complaint(
            dispatcher, tracker, await known_customer_id(tracker)
        ):  # "就是HP20240004" after 「已为您登记投诉工单」: noted on it
            return [SlotSet(FOCUS_ORDER_SLOT, order.order_id)]
        if not answer_about_order(dispatcher, tracker, order):
            offer_order_services(dispatcher, tracker, order)  # "…能换货吗", unsure
        return [SlotSet(FOCUS_ORDER_SLOT, order.order_id)]


def answer_about_order(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order) -> bool:
    """Answers a lookup of ``order``; whether it was a follow-up on the parcel just shown.

    A follow-up ("明天能到吗" right after the status) gets the one line about the arrival
    (or the urged line); otherwise the status, and for an unshipped order waited for
    ("我这单还没到 怎么回事") when it ships.
    """
    if say_refund_urged(dispatcher, tracker, order):  # "能不能快点" right after its refund
        return True
    if _in_transit_just_shown(tracker, order):
        if URGES.search(_latest_text(tracker)):  # "能不能快点啊"
            say_urged(dispatcher, order)
        elif order.status == "paid":  # "明天能到吗" about an order not shipped yet
            say_not_shipped_yet(dispatcher, order)
        else:
            say_eta(dispatcher, order)
        return True
    say_order_status(dispatcher, tracker, order)
    if order.status == "paid" and _waits_for_it(tracker):
        say_urged(dispatcher, order)
    return False


def say_order_status(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order) -> None:
    """The order's status, and its logistics once shipped (all events for 物流 questions)."""
    dispatcher.utter_message(
        response="utter_order_status",
        order_id=order.order_id,
        items=items_summary(order),
        status_label=status_label(order.status),
    )
    logistics = order.logistics
    if logistics is not None and logistics.tracking_number:
        latest = logistics.latest_event
        dispatcher.utter_message(
            response="utter_order_logistics",
            courier=logistics.courier,
            tracking_number=logistics.tracking_number,
            latest_event=(
                f"{format_time(latest.time)} {latest.description}" if latest else "暂无物流更新"
            ),
            eta=format_date(logistics.eta) if order.status == "shipped" else "已送达",
        )
        intent, text = _lookup_request(tracker)
        if intent == "query_logistics" and len(logistics.events) > 1:
            lines = [
                f"{format_time(event.time)} {event.location} {event.description}".strip()
                for event in reversed(logistics.events[-3:])
            ]
            dispatcher.utter_message(
                response="utter_order_tracking_events", events="\n".join(lines)
            )
        said = f"{text} {(tracker.latest_message or {}).get('text') or ''}"
        if order.status == "delivered" and NOT_RECEIVED.search(said):
            dispatcher.utter_message(response="utter_order_delivered_not_received")


# When will it come: "明天能到吗", "还要多久", "几号送到" (not "现在什么状态").
# What shows a parcel's whereabouts: its logistics, or the one line about its arrival.
PARCEL_SHOWN = ("utter_order_logistics", "utter_order_eta", "utter_order_urged_shipped")
UNSHIPPED_SHOWN = ("utter_order_urged_paid", "utter_order_eta_unshipped")
ASKS_ARRIVAL = re.compile(r"能到|到吗|到没|几[号天点]|多久|哪天|什么时候|啥时候|送到|到货|送达")


def _latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


# "还没到" / "怎么还不发货" / "怎么回事": waiting for an order, not just asking its status.
WAITING = re.compile(r"还没|还不|怎么回事|咋回事|等了|好几天")


def _waits_for_it(tracker: Tracker) -> bool:
    """Whether the lookup was asked when the order comes, or urged it (an unshipped order).

    Not when the customer named a service ("还没发货 能取消吗"): that is offered instead.
    """
    _, opening = _lookup_request(tracker)
    said = f"{opening} {_latest_text(tracker)}"
    waits = any(p.search(said) for p in (ASKS_ARRIVAL, URGES, WAITING))
    return waits and not named_services(said)


def _in_transit_just_shown(tracker: Tracker, order: Order) -> bool:
    """Whether the customer asks when (or urges) an order comes that the previous turn showed."""
    text = _latest_text(tracker)
    shipped = order.status == "shipped" and order.logistics is not None
    return (
        (ASKS_ARRIVAL.search(text) is not None or URGES.search(text) is not None)
        and (shipped or order.status == "paid")
        and said_before_latest_message(tracker, *(PARCEL_SHOWN if shipped else UNSHIPPED_SHOWN))
        and slot_before_latest_message(tracker, FOCUS_ORDER_SLOT) == order.order_id
    )


def say_eta(dispatcher: CollectingDispatcher, order: Order) -> None:
    """One line for a follow-up on a parcel just shown: when it arrives, the latest scan."""
    logistics = order.logistics
    assert logistics is not None
    latest = logistics.latest_event
    dispatcher.utter_message(
        response="utter_order_eta",
        order_id=order.order_id,
        eta=format_date(logistics.eta),
        latest_event=(
            f"{format_time(latest.time)} {latest.description}" if latest else "暂无物流更新"
        ),
    )


# "显示签收了但我没收到": the status alone answers nothing; a person must look into it.
NOT_RECEIVED = re.compile(
    r"没(?:有)?(?:收|拿|见)到|未(?:收|拿)到|没签收|不是(?:我|本人)签收|谁签收|没人签收|被签收|丢件|丢了"
    r"|(?:还|怎么|一直)没(?:有)?到(?!账)"  # "怎么还没到啊" about a parcel shown as delivered
)


def _lookup_request(tracker: Tracker) -> tuple[str | None, str]:
    """The intent and text of this session's message that started the lookup (物流到哪了)."""
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            break
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in ("query_logistics", "query_order", "list_orders"):
                return intent, str(event.get("text") or "")
    return None, ""


def order_buttons(orders: list[Order], limit: int = RECENT_ORDERS) -> list[dict[str, str]]:
    """One button per order; the payload is the order number, as if the user typed it."""
    return [
        {
            "title": f"{order.order_id} {items_summary(order)}（{status_label(order.status)}）",
            "payload": order.order_id,
        }
        for order in orders[:limit]
    ]


class ActionAskOrderId(Action):
    """Asks which order: a known customer picks from their recent orders."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Buttons of recent orders, or the plain question for anonymous users."""
        try:
            orders = await recent_orders(tracker)
        except BackendError as error:
            logger.warning("Listing orders failed: %s", error)
            orders = None
        if orders:
            orders = orders_for(form_asking(tracker), orders)
            if form_asking(tracker) == "visit_form" and tracker.get_slot("visit_kind") == INSTALL:
                orders = await not_installed_yet(tracker, orders)
            said = said_for_the_form(tracker)
            one = the_one_named(said, orders)  # "空调到货了 什么时候能来装": that one, a yes
            orders = [one] if one is not None else named_first(said, orders)
            dispatcher.utter_message(response="utter_choose_order", buttons=order_buttons(orders))
        else:
            dispatcher.utter_message(response="utter_ask_order_id")
        return []
