"""What the conversation is about: the order in focus and slot values before a message.

Read from the tracker's events only, so every replica of the action server sees the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import parse_order_id
from zhike.common.confirmations import THANKS_WORDS
from zhike.common.topic_names import (
    BUSINESS_INTENTS,
    FOCUS_ORDER_SLOT,
    FOCUS_TURNS,
    TYPED_CHOICE_KEY,
)


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had when the customer's latest message arrived.

    Rasa fills entity-mapped slots (``order_id``) from every message; this is what the
    form had before, e.g. the order being cancelled before "HP20240002发货了吗". A
    message put back with another intent (``action_keep_topic``) is that message.
    """
    before_message = False
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind == "user":
            before_message = True
        elif kind in ("restart", "session_started"):
            return None
        elif before_message and kind == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def focus_order(tracker: Tracker, turns: int = FOCUS_TURNS) -> str | None:
    """The order in focus, if set within the customer's last ``turns`` messages.

    ``None`` after a restart, a new session or when it was set longer ago: "我要退款" an
    hour later is not about the order looked up then.
    """
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") in ("restart", "session_started"):
            return None
        if event.get("event") == "slot" and event.get("name") == FOCUS_ORDER_SLOT:
            later = sum(1 for e in events[index + 1 :] if e.get("event") == "user")
            return parse_order_id(event.get("value")) if later <= turns else None
    return None


def mentioned_order(tracker: Tracker) -> str | None:
    """The order number in the customer's latest message (entity or text), if any."""
    message = tracker.latest_message or {}
    for entity in message.get("entities") or []:
        if entity.get("entity") == "order_id":
            found = parse_order_id(entity.get("value"))
            if found:
                return found
    return parse_order_id(message.get("text"))


# "您是想咨询…" (actions/fallback.py): a button clicked there answers the message before it.
# The first stage's intro (domain/common.yml): its buttons are what a reply may pick from.
CLARIFICATION = "utter_ask_affirmation_intro"
# The services offered for an order (actions/order_offers.py) are picked the same way.
_CLARIFICATIONS = (CLARIFICATION, "utter_ask_about_named_order", "utter_order_services_offer")


def _clarified(events: list[dict[str, Any]], opening: int) -> int:
    """The message a clarification button picked at ``opening`` answered, else ``opening``.

    "空调啥时候到 还有能不能开个发票", then 「查询物流进度」 clicked or typed: the goods were
    named in the message the robot asked about, not in the pick. So for a request
    offered there asked in other words ("能换个新的吗" to 「申请换货」 for the kettle that
    "用了两次就不加热了"). The two-stage fallback sends the pick again after taking it back;
    that copy is skipped. A bare order number typed instead of a pick ("HP20241401" to
    「查询师傅上门时间」 / 「预约上门安装/维修」) answered the message too.
    """
    picked = events[opening]
    said = str(picked.get("text") or "")
    parse = picked.get("parse_data") or {}
    typed = parse.get(TYPED_CHOICE_KEY)
    intent = (parse.get("intent") or {}).get("name")
    offered: set[str] = set()
    for index in range(opening - 1, -1, -1):
        event = events[index]
        kind = event.get("event")
        if kind == "bot" and (event.get("metadata") or {}).get("utter_action") in _CLARIFICATIONS:
            buttons = (event.get("data") or {}).get("buttons") or []
            offered.update(str(b.get(key) or "") for b in buttons for key in ("title", "payload"))
        elif kind == "user" and str(event.get("text") or "") != said:
            asked_for = bool(intent) and any(
                p == f"/{intent}" or p.startswith(f"/{intent}{{") for p in offered
            )
            bare_order = parse_order_id(said) == said.strip().upper() != ""
            picked_by = typed or said in offered or asked_for or bare_order
            return index if offered and picked_by else opening
        elif kind in ("restart", "session_started"):
            break
    return opening


def typed_for_pick(tracker: Tracker) -> str:
    """The words a button was picked with ("明天下午可以吗" for 「预约上门安装/维修」), else "".

    The message became the button's payload (zhike/nlu/typed_choice.py); what else the
    customer said there -- a time, a reason -- is in these words. A payload with entities
    is parsed again by Rasa, which drops the record: the user event keeps the words.
    """
    latest = tracker.latest_message or {}
    typed = latest.get(TYPED_CHOICE_KEY)
    if isinstance(typed, dict) and typed.get("typed"):
        return str(typed["typed"])
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            words = str(event.get("text") or "")
            return "" if words == latest.get("text") or words.startswith("/") else words
    return ""


def said_in_form(tracker: Tracker, form: str) -> list[str]:
    """What the customer wrote since ``form`` started: the opening message first.

    Details given there ("周日的英语课改到下周二下午4点", "买错了") are kept through the
    identity check that comes first.

    The form started with the earliest ``active_loop`` event naming it since it was last
    ended (an interrupted form that resumes names itself again); the opening message is
    the customer's message before it. Empty when ``form`` is not running.
    """
    events = list(tracker.events)
    start = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") in ("restart", "session_started"):
            break
        if event.get("event") == "active_loop":
            if event.get("name") != form:
                break
            start = index
    if start is None:
        return []
    opening = start
    while opening > 0 and events[opening].get("event") != "user":
        opening -= 1
    # "空调什么时候上门安装", 「您是想咨询…」, "HP20241401", 「…办理以下业务吗？」, a pick
    for _ in range(3):
        answered = _clarified(events, opening)
        if answered == opening:
            break
        opening = answered
    return [
        str(event.get("text") or "")
        for event in events[opening:]
        if event.get("event") == "user" and event.get("text")
    ]


def _bot_turn_before_latest_message(
    tracker: Tracker, taken_back: bool = False
) -> Iterator[dict[str, Any]]:
    """The bot's events between the customer's latest message and the one before, latest first.

    A message taken back and put back with another intent (``action_keep_topic``) is
    one message; a restart or a new session ends the turn. With ``taken_back``, what the
    bot said and then took back counts too: once the customer answers the two-stage
    fallback's question, the fallback takes the answer back and says it again after a
    ``rewind``, and the applied events no longer show the question.
    """
    seen_user, rewound = False, 0
    events = tracker.events if taken_back else tracker.applied_events()
    for event in reversed(events):
        kind = event.get("event")
        if kind == "rewind":  # the message before it was taken back (and said again after)
            rewound += 1
        elif kind == "user" and rewound:
            rewound -= 1
        elif kind == "user":
            if seen_user:
                return
            seen_user = True
        elif kind in ("restart", "session_started"):
            return
        elif seen_user and kind == "bot":
            yield event


def said_before_latest_message(tracker: Tracker, *responses: str, taken_back: bool = False) -> bool:
    """Whether the bot's turn before the customer's latest message said any of ``responses``."""
    return any(
        (event.get("metadata") or {}).get("utter_action") in responses
        for event in _bot_turn_before_latest_message(tracker, taken_back)
    )


def buttons_before_latest_message(tracker: Tracker, response: str) -> list[dict[str, Any]]:
    """The buttons of ``response`` if the bot's turn before the latest message said it."""
    for event in _bot_turn_before_latest_message(tracker):
        if (event.get("metadata") or {}).get("utter_action") == response:
            return list((event.get("data") or {}).get("buttons") or [])
    return []


def requests_offered(buttons: list[dict[str, Any]]) -> list[str]:
    """The business requests among ``/intent`` buttons, 「查看我的订单」 as the order's status."""
    found = []
    for button in buttons:
        payload = str(button.get("payload") or "")
        if not payload.startswith("/"):
            continue
        intent = payload[1:].split("{", 1)[0]
        intent = "query_order" if intent == "list_orders" else intent
        if intent in BUSINESS_INTENTS:
            found.append(intent)
    return found


# Thanks, as in "好的 谢谢": for an answer, not a yes to what is being confirmed.
_THANKS = re.compile(THANKS_WORDS, re.IGNORECASE)
_RESUMED = "utter_form_resume"


def thanks_for_an_answer(tracker: Tracker) -> bool:
    """Whether the latest message thanks the bot for an answer given in the middle of a form.

    "等等 先别取消 HP20240001到哪了" is answered, then the form asks again "确认要取消订单
    HP20240003 吗？" (``utter_form_resume`` first): "好的 谢谢" thanks for the answer, it
    is no yes to the cancellation.
    """
    text = str((tracker.latest_message or {}).get("text") or "")
    if not _THANKS.search(text):
        return False
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind == "bot" and seen_user:
            if (event.get("metadata") or {}).get("utter_action") == _RESUMED:
                return True
    return False


def bot_texts_before_latest_message(tracker: Tracker) -> str:
    """What the bot said in its turn just before the customer's latest message, joined."""
    said = [str(event.get("text") or "") for event in _bot_turn_before_latest_message(tracker)]
    return "\n".join(reversed(said))


def form_resumed(tracker: Tracker, form: str) -> bool:
    """Whether another action ran between the customer's latest message and this form run.

    (Rasa calls the validation action with the form's own ``action`` event last.) Any
    other action after the message means the message was handled by something else.
    """
    undone = 0  # an "undo" event takes back the action before it (a declined handoff)
    for event in reversed(list(tracker.events)):
        kind = event.get("event")
        if kind == "user":
            return False
        if kind == "undo":
            undone += 1
        elif kind == "action" and undone:
            undone -= 1
        elif kind == "action" and event.get("name") != form:
            return True
    return False


def remind_active_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After answering something else in the middle of a form, says the form goes on."""
    if tracker.active_loop_name:
        dispatcher.utter_message(response="utter_form_resume")
