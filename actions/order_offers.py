"""An unclear message about an order offers the order's services its words name.

"HP20240002能换货吗" was too unsure for the NLU (an unclear message with an order number
is an order lookup): the customer got the order's status and nothing about the exchange
they asked for. After the status, :func:`offer_order_services` offers, as buttons, each
service on that order the message names (换货, 退款/退货, 取消, 改地址, 发票, 价保) -- a
click starts it with the order already filled in, and the service's own flow decides
whether the order qualifies. Offered, never started: the NLU was unsure, or read the
message as a status question that also asks whether a service can be had ("我的订单还
没发货 能取消吗"). When an unsure message's words name no service ("空调安装的师傅啥时候来
HP20241401"), the two requests the NLU found likeliest for it, those "您是想咨询…" would
have offered, are offered for the order (查询师傅上门时间, 预约上门安装/维修), those
that can be had on the order in its state (not 取消订单 for a delivered one).

A bare order number typed instead of picking one of the requests "您是想咨询…" offered
("空调什么时候上门安装", then "HP20241401") gets those requests for that order. The same
holds for a bare order number given right after the knowledge base answered a
question about a service ("降价了能补差价吗", then "HP20240002"): the customer read the
rules and now names the order; the services the question named are offered. And for one
typed instead of picking a button when the robot asked what a message meant ("买的手机降价
了", "您是想咨询…", "HP20240001"). "不想要了" about an order not shipped yet is cancelling
it, not a refund.
"""

from __future__ import annotations

import re
from itertools import takewhile
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import CLARIFICATION, buttons_before_latest_message, requests_offered
from actions.knowledge import just_answered
from actions.order_questions import (
    asks_whether,
    named_services,
    refund_blocker,
    service_button,
)
from actions.own_orders import NOT_SHIPPED, RELEVANT
from actions.topics import CHANGE_ENTRIES
from actions.turns import recent_turns
from zhike.common.topic_names import BUSINESS_INTENTS, COURSE_INTENTS, UNSURE
from zhike.lib.backend_client import Order

BARE_ORDER = frozenset({UNSURE, "inform"})  # the intents of a bare order number
# The order's status and parcel are what the lookup shows anyway: not offered again.
SHOWN_WITH_STATUS = frozenset({"query_order", "query_logistics"})
# The requests on one order the lookup does not show anyway (not its status or parcel,
# nor lessons, tickets, the account or products): offered for it.
ORDER_SERVICES = (
    BUSINESS_INTENTS
    - SHOWN_WITH_STATUS
    - COURSE_INTENTS
    - {
        "list_orders",
        "query_ticket",
        "bind_account",
        "ask_product",
        "ask_shipping",
    }
)
# The order lookup's own questions (which order, the phone's last 4 digits): the message
# before them is what the customer wanted of the order.
LOOKUP_STEPS = frozenset({"order_id_form"})
# "我不想要了" without a word of refund: for an order not shipped yet, cancelling it
NOT_WANTED = re.compile(r"不想要|不要了|不买了")
REFUND_WORDS = re.compile(r"退")


def offer_order_services(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order) -> bool:
    """Offers the services the customer's words named for ``order``; whether it did."""
    latest: dict[str, Any] = tracker.latest_message or {}
    bare = (latest.get("intent") or {}).get("name") in BARE_ORDER
    turns = recent_turns(tracker)
    # the latest message and the lookup's steps before it (the order number, the phone's
    # last 4 digits), the first of them the message that started it ("我的订单HP20240003
    # 还没发货 能取消吗")
    steps = turns[:1] + list(takewhile(lambda turn: turn.first_action in LOOKUP_STEPS, turns[1:]))
    opening = steps[-1] if steps else None
    services: list[str] = []
    said = ""
    if opening is not None and (opening.intent == UNSURE or asks_whether(opening.text)):
        said = opening.text
        services = named_services(said)
        if not services and opening.intent == UNSURE:  # "空调安装的师傅啥时候来 HP20241401"
            guessed = [i for i in opening.likeliest[:2] if i in ORDER_SERVICES]
            services = [i for i in guessed if _applies(i, order)]
    if not services and bare:
        said = just_answered(tracker) or ""
        services = named_services(said)
    before = turns[len(steps)] if len(turns) > len(steps) else None
    if not services and bare and before is not None and before.asked_about:
        said = before.text
        services = named_services(said)  # "买的手机降价了", asked about, then the number
        if not services:  # "空调什么时候上门安装", asked about: the requests offered then
            offered = requests_offered(buttons_before_latest_message(tracker, CLARIFICATION))
            services = [intent for intent in offered if intent not in SHOWN_WITH_STATUS]
    if not services:
        return False
    buttons = [service_button(intent, order.order_id) for intent in _for(order, services, said)]
    if not buttons:
        return False
    dispatcher.utter_message(response="utter_order_services_offer", buttons=buttons)
    return True


def _applies(intent: str, order: Order) -> bool:
    """Whether the request the NLU guessed can be had on ``order`` in its state.

    A guess, not the customer's words: "这单是已经签收了吧" about a delivered order was
    offered 「取消订单」. A service the customer named is offered whatever the state:
    its flow says why not and what can be done instead.
    """
    relevant = RELEVANT.get(CHANGE_ENTRIES.get(intent, ""))
    return relevant is None or relevant(order)


def _for(order: Order, services: list[str], said: str) -> list[str]:
    """``services`` as they apply to ``order``.

    "不想要了" before shipping is cancelling it; a refund of an order with one open or done
    is its progress ("退款多久到账", then "我那个HP20240004的呢": not a second refund).
    """
    cancelling = (
        order.status in NOT_SHIPPED and NOT_WANTED.search(said) and not REFUND_WORDS.search(said)
    )
    mapped: list[str] = []
    for intent in services:
        blocked = refund_blocker(order) if intent == "request_refund" else None
        if blocked is not None:
            mapped += blocked[1]
        elif intent == "request_refund" and cancelling:
            mapped.append("cancel_order")
        else:
            mapped.append(intent)
    return list(dict.fromkeys(mapped))
