"""A typed pick of one of the buttons the bot just showed is read as a click on it.

Customers type "2", "第三个" or "最后一个" instead of clicking, and mean the button at that
place: after "您最近的订单如下" the third order, after "您是想咨询…" the first topic. Read
alone, "第三个" means nothing, and DIET guessed a joke or small talk. This component sees
the conversation (Rasa passes the tracker to a component whose ``process`` asks for it):
when the message picks one of the buttons of the bot's latest turn, by its place or its
title (:func:`zhike.common.choices.chosen_button`), the message is read as that button's
payload, exactly as if it had been clicked: an order number is looked up, ``/intent``
payloads are taken by Rasa's ``RegexMessageHandler`` at the end of the pipeline. An order
named by its place with a question ("第二个到哪了" after a list of orders) is read as that
order's number and the question ("HP20240001 到哪了"). A plain
yes ("确定", "是的", "嗯") to "您是想咨询…" or to "您是想为这个订单办理以下业务吗？" picks
its first topic, the likelier one: read alone it was replayed as a bare "yes" and got
"还有其他可以帮您的吗？". A short reply naming a time ("明天下午可以吗") picks the one
topic offered whose form asks for a time (booking the visit). "那帮我申请一下" right
after an answer that offers one request
(「申请退货/退款」 under the return policy) is a click on it, and so is "那开吧 公司是… 税号…"
on the one of several requests its first words name (:func:`zhike.common.choices.go_ahead_button`).
The customer's own words stay in the conversation (the tracker's ``user`` event keeps the
typed text); the parse result says what was picked (``typed_choice``).

"那能催一下吗" right after an answer offering a person to chase the order takes that person.
While "您是想咨询…" is open over a form it interrupted, a reply that types a button of the
form's question ("好吧 确定取消" to 「确认取消」) is that click: the form goes on
(:mod:`zhike.nlu.form_reply` reads the form's other answers).

Forms read their own options (:mod:`actions.typed_answers`), so inside a form nothing
is changed, except in the two-stage fallback's loop, whose buttons are plain clicks. A
rating question is left alone too: "5" there is a score, not the fifth button; and so is
a conversation an agent has taken over.

Put it first in the pipeline, before the tokenizer::

    - name: zhike.nlu.typed_choice.TypedChoice
      except_intents: [rate_service]   # button sets where a number means something else
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from zhike.common.choices import (
    chosen_button,
    go_ahead_button,
    named_button,
    ordinal_reference,
    parse_ordinal,
)
from zhike.common.confirmations import parse_confirmation
from zhike.common.handoff_names import HANDOFF_STATE_SLOT, WITH_AGENT
from zhike.common.topic_names import BUSINESS_INTENTS, TYPED_CHOICE_KEY
from zhike.nlu.form_reply import interrupted_form
from zhike.nlu.proposed_times import proposes_a_time

TYPED_CHOICE = TYPED_CHOICE_KEY
# The two-stage fallback is a loop, but its buttons are no form's options.
FALLBACK_LOOP = "action_two_stage_fallback"
DEFAULT_EXCEPT_INTENTS = ["rate_service"]


def latest_buttons(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
    """The buttons of the bot's messages since the customer's latest message (last set wins)."""
    if tracker is None:
        return []
    buttons: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and not buttons:
            buttons = list((event.data or {}).get("buttons") or [])
    return [button for button in buttons if isinstance(button, dict) and button.get("payload")]


def payload_intent(payload: str) -> str | None:
    """``rate_service`` for ``/rate_service{"csat_score": "5"}``; ``None`` for plain text."""
    if not payload.startswith("/"):
        return None
    return payload[1:].split("{", 1)[0].strip() or None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TypedChoice(GraphComponent):
    """Replaces a typed pick of a just-shown button with that button's payload."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Button sets with a payload of these intents are left alone."""
        return {"except_intents": DEFAULT_EXCEPT_INTENTS}

    def __init__(self, config: dict[str, Any]) -> None:
        self.except_intents = frozenset(config.get("except_intents") or ())

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TypedChoice:
        """See the parent class."""
        return cls({**cls.get_default_config(), **config})

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        """Reads each message that picks one of the latest buttons as its payload."""
        buttons = self.offered(tracker)
        if not buttons:
            return messages
        asked_which = _asked_which(tracker)
        requests = [b for b in buttons if payload_intent(str(b["payload"])) in BUSINESS_INTENTS]
        for message in messages:
            text = message.get(TEXT)
            button = chosen_button(text, buttons) or _form_pick(text, tracker)
            if button is None and asked_which:
                topics = [b for b in buttons if payload_intent(str(b["payload"])) != NONE]
                first = payload_intent(str(buttons[0]["payload"]))
                if parse_confirmation(text) is True and not _closing(text, topics):
                    # "是的" to "您是想咨询…": its first, likelier topic; never 「结束咨询」:
                    # "确定" meant the form the fallback interrupted, not leaving
                    button = None if first == GOODBYE else buttons[0]
                else:  # "嗯 取消吧" to 「取消订单」; "不是" is no pick of 「都不是」
                    button = (
                        named_button(text, topics)
                        or _timed(text, topics)
                        or named_button(text, topics, shortest=1)  # "好的 那帮我约一下"
                    )
            elif button is None:  # "那帮我申请一下" after an answer offering one request
                button = go_ahead_button(text, requests) or _chase(text, buttons)
            if button is None:  # "第二个" to a list followed by 「您刚才还提到…」's one button
                button = _listed_before(text, tracker)
            said = None if button is None else str(button["payload"])
            if button is None:  # "第二个到哪了" after a list of orders: that order, asked
                button, said = _referred(text, buttons)
            if button is None or said is None:
                continue
            record = {"typed": text, "title": button.get("title"), "payload": said}
            message.set(TEXT, said)
            message.set(TYPED_CHOICE, record, add_to_output=True)
        return messages

    def offered(self, tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
        """The buttons a typed pick may choose from now (none inside a form)."""
        if tracker is None or tracker.active_loop_name not in (None, FALLBACK_LOOP):
            return []
        if tracker.get_slot(HANDOFF_STATE_SLOT) == WITH_AGENT:
            return []  # a person serves the customer: their words go to the agent as typed
        buttons = latest_buttons(tracker)
        if any(payload_intent(str(b["payload"])) in self.except_intents for b in buttons):
            return []
        return buttons


# Questions whose first button a plain yes picks: the fallback's "您是想咨询…" (also when
# asked outside its loop: actions/fallback.py asks it again, loop ended, when the message
# before was understood after all), the services offered for an order and the second
# request of a message (actions/also_asked.py), and the last fallback's
# "需要为您转接人工客服吗？" (「转人工客服」 first: "确定" to it got 「还有其他可以帮您的吗？」).
ASK_WHICH = frozenset(
    {
        "utter_ask_affirmation_intro",
        "utter_order_services_offer",
        "utter_also_asked",
        "utter_default",
    }
)
# Requests whose form asks for a time, and how long a reply naming one may be.
TIMED_REQUESTS = frozenset(
    {"book_visit", "change_visit", "schedule_delivery", "reschedule_pickup", "reschedule_course"}
)
# The intent of their 「都不是」 button.
NONE, GOODBYE = "out_of_scope", "goodbye"


# "好的谢谢" to a choice of topics closes the matter; "是的" / "对" says the first is right.
_THANKS = re.compile(r"谢|thank|3q", re.IGNORECASE)
_THATS_IT = re.compile(r"是|对|没错|确定|确认|就这")


def _closing(text: Any, topics: list[dict[str, Any]]) -> bool:
    """Whether a yes with thanks ("好的谢谢") answers a choice of several topics: no pick."""
    words = str(text or "")
    return len(topics) > 1 and bool(_THANKS.search(words)) and not _THATS_IT.search(words)


# "那能催一下吗", "帮我催催": a short request to chase, to an answer offering an agent for it.
_CHASE = re.compile(r"催")
MAX_CHASE = 12
HANDOFF = "human_handoff"


def _chase(text: Any, buttons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one agent button, for a short reply asking to chase ("那能催一下吗").

    「…如果确实急用，可以转人工客服帮您催一催～」 was answered; saying the same status again
    to "那能催一下吗" helps no one: the customer takes the agent offered.
    """
    words = str(text or "")
    agents = [b for b in buttons if payload_intent(str(b["payload"])) == HANDOFF]
    if len(agents) != 1 or len(words) > MAX_CHASE or not _CHASE.search(words):
        return None
    return agents[0]


def _referred(text: Any, buttons: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str | None]:
    """The order button a message names by its place, and the message with its number.

    Only plain payloads (order numbers): "第二个到哪了" becomes "HP20240001 到哪了".
    """
    reference = ordinal_reference(text, len(buttons))
    if reference is None:
        return None, None
    button = buttons[reference[0]]
    payload = str(button["payload"])
    if payload.startswith("/"):
        return None, None
    return button, f"{payload} {reference[1]}"


def _timed(text: Any, topics: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one offered request that takes a time, for a short reply that names one.

    "明天下午可以吗" to 「查询师傅上门时间」 / 「预约上门安装/维修」: the visit booked then
    (the form reads the time from the customer's words, which stay in the conversation).
    """
    timed = [b for b in topics if payload_intent(str(b["payload"])) in TIMED_REQUESTS]
    if len(timed) != 1 or not proposes_a_time(text):
        return None  # "明天能到吗" asks about the parcel: no time proposed
    return timed[0]


def _listed_before(text: Any, tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    """The button a number picks from a list the bot's latest turn showed before its last.

    "我有几个单子在路上", the orders listed and then 「您刚才还提到了…」 with one button:
    "第二个" is the second order, not nothing.
    """
    if tracker is None:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return None
        listed = (event.data or {}).get("buttons") if isinstance(event, BotUttered) else None
        if listed and len(listed) > 1:
            index = parse_ordinal(text, len(listed))
            return None if index is None else listed[index]
    return None


def _form_pick(text: Any, tracker: DialogueStateTracker | None) -> dict[str, Any] | None:
    """The button of the interrupted form's question a reply to "您是想咨询…" picks.

    "好吧 确定取消" answers 「确认要取消订单…吗？」 (「确认取消」), not the topics offered in
    between; so does "七天无理由" to the refund's reasons. The form then goes on.
    """
    interrupted = interrupted_form(tracker)
    if interrupted is None or not interrupted[1]:
        return None
    buttons = interrupted[1]
    return chosen_button(text, buttons) or named_button(text, buttons)


def _asked_which(tracker: DialogueStateTracker | None) -> bool:
    """Whether the bot's latest question offered topics whose first a plain yes picks."""
    if tracker is None:
        return False
    if tracker.active_loop_name == FALLBACK_LOOP:
        return True
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.data or {}).get("buttons"):
            return (event.metadata or {}).get("utter_action") in ASK_WHICH
    return False
