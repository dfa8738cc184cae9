"""A question about the order in focus is answered for that order ("这个能退吗").

Right after an order was shown, "这个能退吗" asks about that order, not about the return
policy in general. The NLU reads it as a question (or is unsure), and the knowledge base
finds the policy too weakly to answer it, so the customer heard "暂时还回答不了". Now:

* a question whether the order can be refunded or returned gets the answer for that order
  (:func:`refund_blocker` mirrors the business system's refund rules): yes, with
  「申请退款/退货」 as a button; or why not ("已有处理中的退款申请", "签收已超过 7 天")
  with what to do instead;
* a question naming another service on it (换货, 取消, 改地址, 发票, 价保) offers that
  service as a button with the order filled in; the service's own flow checks its rules
  when it starts, except cancelling and a new address, which the order's status decides
  at once (a shipped order: why not, and what to do instead);
* "能不能快点" / "帮我催一下" gets when the order comes (shipped: the expected day; paid:
  it ships within 48 hours) and 转人工客服 as a button, for a person to chase it.

Only a short question (at most :data:`MAX_LENGTH` characters) that names no other order,
within a few messages of the order being shown (:func:`actions.context.focus_order`).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import intent_titles
from actions.context import focus_order, mentioned_order
from actions.dates import format_date
from actions.order_rules import say_change_blocker
from actions.own_orders import REFUNDABLE, seen_order
from actions.parsing import typed_text
from zhike.common.refund_kinds import is_price_difference
from zhike.common.urges import STUCK, urges
from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.domain import (
    CANCELLED,
    DELIVERED,
    PAID,
    PENDING_PAYMENT,
    REFUNDED,
    REFUNDING,
    SHIPPED,
)

logger = logging.getLogger(__name__)

# Words naming a service on an order, and the intent that starts it (in this order).
SERVICES = (
    (re.compile(r"换(?!.{0,3}地址)"), "request_exchange"),  # "换个地址" is the address
    # "少了一包" / "漏发" / "发错了": a refund's reason ("发错货或少件")
    (re.compile(r"退(?:货|款|钱|掉)?|不想要|少(?:了|件|发)|漏发|缺件|发错"), "request_refund"),
    (re.compile(r"取消|不要了"), "cancel_order"),
    (re.compile(r"改.{0,3}地址|地址.{0,3}改|换.{0,3}地址"), "modify_address"),
    (re.compile(r"发票|开票"), "request_invoice"),  # "这个能开票吗"
    (re.compile(r"价保|保价|差价|降价|降了|便宜了"), "request_price_protection"),  # "今天降了一百"
)
REFUND = "request_refund"
# The business system's refund rules: REFUNDABLE statuses, a delivered order within 7
# days, no refund already open.
REFUND_WINDOW = timedelta(days=7)
OPEN_REFUNDS = ("requested", "processing", "approved")

MAX_LENGTH = 20
# "能退吗" / "可以退不" / "能不能换" / "退得了吗" / "可以退？": asks whether, not asks for.
ASKS_WHETHER = re.compile(
    r"[吗么嘛][?？]*$|[?？]$|(?:能|可以|行).{0,4}不[?？]*$|能不能|可不可以|行不行"
    r"|[退换取][得不]了"
)

# "取消了优惠券还退吗", "退货运费能退吗": about the coupon or the postage, not the order's
# service -- the knowledge base answers.
ASIDE_MONEY = re.compile(r"优惠券|优惠卷|券|红包|积分|运费|邮费")
# "怎么退" / "多久到账" / "运费谁出" ask how, not whether: the knowledge base answers.
ASKS_HOW = re.compile(r"怎么|怎样|如何|多久|多少|什么|啥|哪|几|谁|为什么|为啥")


def asks_whether(text: str) -> bool:
    """Whether ``text`` asks whether something can be done ("能退吗"), not how ("怎么退")."""
    return ASKS_WHETHER.search(text) is not None and ASKS_HOW.search(text) is None


def named_services(text: str) -> list[str]:
    """The intents of the services on an order that ``text`` names, each once."""
    found: list[str] = []
    for pattern, intent in SERVICES:
        if pattern.search(text) and intent not in found:
            found.append(intent)
    return found


def service_button(intent: str, order_id: str | None) -> dict[str, str]:
    """A button that starts ``intent`` with ``order_id`` filled in (if there is one)."""
    title = intent_titles()["intents"].get(intent, intent)
    entity = json.dumps({"order_id": order_id}, ensure_ascii=False) if order_id else ""
    return {"title": title, "payload": f"/{intent}{entity}"}


def delivered_at(order: Order) -> datetime | None:
    """When a delivered order arrived: its latest tracking scan, else its last update."""
    if order.logistics is not None and order.logistics.latest_event is not None:
        return order.logistics.latest_event.time
    return order.updated_at


def refund_blocker(order: Order) -> tuple[str, list[str]] | None:
    """Why ``order`` cannot be refunded now: ``(response, intents offered instead)``.

    ``None`` when a refund may be requested. A delivered order past the 7 days is
    refused by the business system too; the refund flow still takes its reason and
    hands it to a person (out of policy), so only the answer to a question says so.
    """
    if order.status == REFUNDING or any(  # a price difference (价保) blocks no return
        refund.status in OPEN_REFUNDS and not is_price_difference(refund.reason)
        for refund in order.refunds
    ):
        return "utter_refund_already_open", ["query_refund"]
    if order.status == REFUNDED:
        return "utter_refund_already_done", ["query_refund"]
    if order.status == CANCELLED:
        return "utter_refund_order_cancelled", []
    if order.status == PENDING_PAYMENT:
        return "utter_refund_order_unpaid", ["cancel_order"]
    if order.status not in REFUNDABLE:
        return "utter_refund_not_possible", ["human_handoff"]
    return None


def past_return_window(order: Order, now: datetime) -> bool:
    """Whether a delivered order arrived more than 7 days ago."""
    arrived = delivered_at(order)
    if order.status != DELIVERED or arrived is None:
        return False
    if arrived.tzinfo is None:
        arrived = arrived.replace(tzinfo=timezone.utc)
    return now - arrived > REFUND_WINDOW


def asks_about_focus_order(tracker: Tracker) -> tuple[str, list[str]] | None:
    """``(order, services)`` when the latest message asks about the order in focus.

    ``services`` is empty for a customer urging it or finding it slow ("能不能快点", "都一个
    星期了": :func:`~zhike.common.urges.urges`).
    """
    text = typed_text((tracker.latest_message or {}).get("text"))
    if not text or len(text) > MAX_LENGTH:
        return None
    if (urges(text) or STUCK.search(text)) and not named_services(text):
        # "能不能快点", "都三天没动了" right after the order was shown
        order_id = focus_order(tracker)
        return None if order_id is None or mentioned_order(tracker) else (order_id, [])
    if not asks_whether(text) or ASIDE_MONEY.search(text):
        # "发票怎么开？", "取消了优惠券还退吗": answered from the knowledge base
        return None
    order_id = focus_order(tracker)
    if order_id is None or mentioned_order(tracker) not in (None, order_id):
        return None
    services = named_services(text)
    return (order_id, services) if services else None


async def answer_about_focus_order(
    dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime
) -> bool:
    """Answers a question about the order in focus; whether it did (never fails the turn)."""
    asked = asks_about_focus_order(tracker)
    if asked is None:
        return False
    order_id, services = asked
    try:
        order = await seen_order(tracker, order_id)
    except BackendError as error:
        logger.info("Question on %s left to the knowledge base: %s", order_id, error)
        return False
    if services and services[0] != REFUND:
        # "能取消吗" about a shipped order: why not, and what instead -- not a button to it
        if order is not None and say_change_blocker(dispatcher, order, services[0]):
            return True
        buttons = [service_button(intent, order_id) for intent in services]
        dispatcher.utter_message(response="utter_order_services_offer", buttons=buttons)
        return True
    if order is None:
        return False
    if not services:
        return say_urged(dispatcher, order)
    say_refund_answer(dispatcher, order, now)
    return True


def say_not_shipped_yet(dispatcher: CollectingDispatcher, order: Order) -> None:
    """A paid order just urged, asked when it comes ("明天能到吗"): not with the courier yet."""
    handoff = [service_button("human_handoff", order.order_id)]
    dispatcher.utter_message(
        response="utter_order_eta_unshipped", order_id=order.order_id, buttons=handoff
    )


def say_urged(dispatcher: CollectingDispatcher, order: Order) -> bool:
    """When a shipped or paid order comes, to a customer who urges it; whether it said so."""
    handoff = [service_button("human_handoff", order.order_id)]
    if order.status == SHIPPED and order.logistics is not None:
        eta = format_date(order.logistics.eta)
        dispatcher.utter_message(
            response="utter_order_urged_shipped", order_id=order.order_id, eta=eta, buttons=handoff
        )
        return True
    if order.status == PAID:
        dispatcher.utter_message(
            response="utter_order_urged_paid", order_id=order.order_id, buttons=handoff
        )
        return True
    return False


def say_refund_answer(dispatcher: CollectingDispatcher, order: Order, now: datetime) -> None:
    """Whether ``order`` can be refunded, and the button to do it or what to do instead."""
    order_id = order.order_id
    if say_refund_blocker(dispatcher, order):
        return
    if past_return_window(order, now):
        buttons = [service_button(i, order_id) for i in ("request_exchange", "human_handoff")]
        dispatcher.utter_message(
            response="utter_refund_window_passed", order_id=order_id, buttons=buttons
        )
        return
    delivered = order.status == DELIVERED
    dispatcher.utter_message(
        response="utter_refund_possible_delivered" if delivered else "utter_refund_possible",
        order_id=order_id,
        buttons=[service_button(REFUND, order_id)],
    )


def say_refund_blocker(dispatcher: CollectingDispatcher, order: Order) -> bool:
    """Says why ``order`` cannot be refunded (:func:`refund_blocker`); whether it did."""
    blocked = refund_blocker(order)
    if blocked is None:
        return False
    response, offered = blocked
    buttons = [service_button(intent, order.order_id) for intent in offered]
    dispatcher.utter_message(response=response, order_id=order.order_id, buttons=buttons or None)
    return True
