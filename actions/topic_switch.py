"""A new request or question in the middle of a form: answer it, or ask before switching.

When a form gives a message up (it is not an answer to its question) and the message is
a confident business request, :class:`zhike.dialogue.topic_switch_policy.TopicSwitchPolicy`
runs ``action_answer_interruption``:

* a question that needs no question back (the order is named or in focus and the customer
  may see it, my orders, my lessons, my tickets) is answered and the form goes on;
* a confident out-of-scope message ("今天天气咋样") is declined and the form goes on;
* the form's own request again ("我要退款" in the refund form) just lets the form go on;
* another lookup form while a lookup form asks its question ("快递员电话多少" asked which
  parcel) replaces it at once: nothing the customer gave is lost;
* anything else is a change of topic: "您正在办理「取消订单」，需要先帮您处理「申请退款/退货」吗？"
  with two buttons. The slots ``switch_state`` (``asked``) and ``switch_offer`` (what to
  start, with the values the message carried) remember the offer.

The customer's next message goes to ``action_resolve_switch``: yes ("好的", "1", the
button) ends the form and starts the new request with those values; no ("继续", "不用")
resumes the form; anything else is given back (the form takes it as its answer).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import FORM_SLOTS
from actions.common import intent_titles
from actions.context import focus_order, mentioned_order, remind_active_form
from actions.courses import ActionCourseSchedule
from actions.identity import input_channel
from actions.knowledge import answer_if_known
from actions.order_list import ActionListOrders
from actions.orders import answer_about_order, order_if_visible
from actions.own_orders import RELEVANT
from actions.parsing import normalize_text, parse_order_id
from actions.tickets import ActionTicketStatus
from actions.topics import (
    CHANGE_ENTRIES,
    ENTRIES,
    PROGRESS_QUESTIONS,
    QUESTION_ENTRIES,
    form_intents,
    is_form,
)
from actions.typed_answers import parse_ordinal, shown_buttons
from actions.typed_parsing import asks_progress, parse_confirmation, symbols_removed
from zhike.common.choices import named_button
from zhike.common.form_questions import asked_in_form
from zhike.common.topic_names import (
    ANSWER_ACTION,
    FOCUS_ORDER_SLOT,
    OUT_OF_SCOPE,
    RESOLVE_ACTION,
    SWITCH_ASKED,
    SWITCH_OFFER_SLOT,
    SWITCH_STATE_SLOT,
)

# Words that, in a reply to "先处理X吗？", say yes ("先处理吧", "换") or no ("继续").
SWITCH_WORDS = ("先处理", "处理", "先办", "换", "切换")
KEEP_WORDS = ("继续", "接着", "接着办", "继续办", "先办完", "不换")
SWITCH_NOW = re.compile(r"先(?:帮我)?(?:处理|办|弄|查|看|去)")
KEEP_NOW = re.compile(r"不|别|继续|接着|办完")
# Words pointing at the order the form is about ("这个能改地址吗", "这单先退款", "收件电话也
# 改下": the same order too).
POINTING = re.compile(r"这个|这单|这笔|这一单|该订单|它|也|顺便|一起|一并")
# Words pointing away from it: another order ("另一个订单也要退").
ELSEWHERE = re.compile(r"另|别的|其他|其它|还有个|还有一个|上次|之前")
# Forms that undo their order: another request in their middle is rarely about that order
# ("我要开发票" while cancelling one), unless the words point at it.
UNDOING_FORMS = frozenset({"cancel_order_form", "refund_form", "intercept_form"})
# The forms that only look something up: another lookup replaces one without a question.
LOOKUP_FORMS = frozenset(entry for entry in QUESTION_ENTRIES.values() if is_form(entry))
# Inline answers reuse these actions (each reminds the customer the form goes on).
INLINE_ACTIONS: dict[str, type[Action]] = {
    "action_list_orders": ActionListOrders,
    "action_course_schedule": ActionCourseSchedule,
    "action_ticket_status": ActionTicketStatus,
}


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def topic_title(intent: str) -> str:
    """The Chinese name of a request ("取消订单"), from ``actions/intent_titles.yml``."""
    return str(intent_titles()["intents"].get(intent, "这个问题"))


def form_title(form: str) -> str:
    """The Chinese name of what a form does, after its first request."""
    owners = sorted(form_intents(form))
    return topic_title(owners[0]) if owners else "当前业务"


async def _carried_slots(tracker: Tracker, entry: str, domain: DomainDict) -> dict[str, Any]:
    """Values the message carried for the new request's form (its entities that are slots).

    The form's order goes over when the message points at it ("这个能改地址吗"), or, in
    a form that does not undo the order, names no order and the new request can be had
    on it: "收件人电话改我老婆的吧" while the delivery of HP20240001 is being scheduled is
    about HP20240001 (was: 「请问是哪一笔订单呢？」 right after "对 就这单").
    """
    if not is_form(entry):
        return {}
    wanted = set((domain.get("forms", {}).get(entry) or {}).get("required_slots") or [])
    # (a phone number is not carried: the conversation keeps it masked, "139****5678")
    carried = {
        str(entity["entity"]): entity.get("value")
        for entity in (tracker.latest_message or {}).get("entities") or []
        if entity.get("entity") in wanted and entity.get("value") is not None
    }
    text = str((tracker.latest_message or {}).get("text") or "")
    # "这个能改地址吗" while cancelling an order: that order
    order = mentioned_order(tracker) or (
        tracker.get_slot("order_id") if POINTING.search(text) else None
    )
    current = parse_order_id(tracker.get_slot("order_id"))
    implied = tracker.active_loop_name not in UNDOING_FORMS and not ELSEWHERE.search(text)
    if order is None and current and implied and entry in RELEVANT:
        known = await order_if_visible(tracker, current)
        order = current if known is not None and RELEVANT[entry](known) else None
    if order and "order_id" in wanted:
        carried["order_id"] = order
    return carried


class ActionAnswerInterruption(Action):
    """Answers a question asked in the middle of a form, or offers to switch to a request."""

    def name(self) -> str:
        """See the base class."""
        return ANSWER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Inline answer + the form again, or the switch question."""
        form = tracker.active_loop_name
        if not form:
            return []
        intent = _intent(tracker) or ""
        if intent == OUT_OF_SCOPE:  # "今天天气咋样" while asked for the order
            dispatcher.utter_message(response="utter_out_of_scope_in_form")
            remind_active_form(dispatcher, tracker)
            return []
        text = (tracker.latest_message or {}).get("text")
        # a question about the form's matter, also when the NLU read it as the form's own
        # request ("改地址要钱吗": modify_address at 0.97), not when it asks for another change
        own = intent in form_intents(form)
        asked = (
            asked_in_form(form, text, tracker.slots)
            if own or intent not in CHANGE_ENTRIES
            else None
        )
        if asked and await answer_if_known(dispatcher, asked, input_channel(tracker), form):
            remind_active_form(dispatcher, tracker)  # "这个要多少钱运费" in the refund form
            return []
        if intent not in ENTRIES and mentioned_order(tracker):
            intent = "query_order"  # "HP20240003呢？": a question about that order
        if (intent not in ENTRIES or intent in form_intents(form)) and asks_progress(text):
            intent = PROGRESS_QUESTIONS.get(form, intent)  # "之前那个退款处理得怎么样了"
        if intent not in ENTRIES or intent in form_intents(form):
            return []  # the form's own request again: the form asks its question again
        if intent in QUESTION_ENTRIES:
            answered = await self._answer(intent, dispatcher, tracker, domain)
            if answered is not None:
                return answered  # then the form (or, after a fault, the handoff)
            entry = QUESTION_ENTRIES[intent]
            if form in LOOKUP_FORMS and entry in LOOKUP_FORMS:
                # "快递员电话多少" while asked which parcel to look up: one lookup form for
                # another loses nothing the customer would miss, so no question first
                return switched(entry, await _carried_slots(tracker, entry, domain))
        return await self._offer(intent, form, dispatcher, tracker, domain)

    async def _answer(
        self, intent: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]] | None:
        """The events of an inline answer, or ``None`` when it needs a question back."""
        entry = QUESTION_ENTRIES[intent]
        if entry in INLINE_ACTIONS:
            return await INLINE_ACTIONS[entry]().run(dispatcher, tracker, domain)
        if entry != "order_id_form":
            return None
        # "那个订单明天能到吗" right after another order was answered in passing: that one
        order_id = mentioned_order(tracker) or focus_order(tracker) or tracker.get_slot("order_id")
        order = await order_if_visible(tracker, order_id) if order_id else None
        if order is None:
            return None
        answer_about_order(dispatcher, tracker, order)
        remind_active_form(dispatcher, tracker)
        return [SlotSet(FOCUS_ORDER_SLOT, order.order_id)]

    @staticmethod
    async def _offer(
        intent: str,
        form: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        new, current = topic_title(intent), form_title(form)
        dispatcher.utter_message(
            response="utter_offer_switch",
            current=current,
            new=new,
            buttons=[
                {"title": f"先{new}", "payload": "/affirm"},
                {"title": f"继续{current}", "payload": "/deny"},
            ],
        )
        offer = {"intent": intent, "slots": await _carried_slots(tracker, ENTRIES[intent], domain)}
        return [SlotSet(SWITCH_STATE_SLOT, SWITCH_ASKED), SlotSet(SWITCH_OFFER_SLOT, offer)]


def switch_answer(tracker: Tracker) -> bool | None:
    """Whether the reply to the switch question says switch (``True``) or keep (``False``).

    A button (or its typed title or number), a typed yes/no ("好的", "不用了", "先处理吧",
    "继续"), words of one button's title only ("那改吧"), the offered request asked again,
    or an affirm/deny intent; ``None`` otherwise.
    """
    text = normalize_text((tracker.latest_message or {}).get("text"))
    plain = symbols_removed(text.lower())
    shown = shown_buttons(tracker, ANSWER_ACTION)
    index = parse_ordinal(text, len(shown))
    titles = [symbols_removed(normalize_text(button.get("title")).lower()) for button in shown]
    if index is None and plain in titles:
        index = titles.index(plain)
    if index is not None and plain:
        return shown[index].get("payload") == "/affirm"
    if plain.rstrip("吧啊呀") in KEEP_WORDS:
        return False
    typed = parse_confirmation(text, SWITCH_WORDS)
    if typed is not None:
        return typed
    if SWITCH_NOW.search(text) and not KEEP_NOW.search(text):
        return True  # "先处理退款吧", "那先帮我查一下"
    named = named_button(text, shown, shortest=1)
    if named is not None:  # "那改吧": 「继续修改收货地址」's words, not the other's
        return named.get("payload") == "/affirm"
    intent = _intent(tracker)
    offer = tracker.get_slot(SWITCH_OFFER_SLOT) or {}
    if intent == offer.get("intent"):
        return True
    if intent in ("affirm", "deny"):
        return intent == "affirm"
    return None


class ActionResolveSwitch(Action):
    """Acts on the reply to "要先处理X吗？": switch, go on with the form, or hand back."""

    def name(self) -> str:
        """See the base class."""
        return RESOLVE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Starts the offered request, resumes the form, or rejects itself."""
        cleared = [SlotSet(SWITCH_STATE_SLOT, None), SlotSet(SWITCH_OFFER_SLOT, None)]
        form = tracker.active_loop_name
        offer = tracker.get_slot(SWITCH_OFFER_SLOT) or {}
        entry = ENTRIES.get(str(offer.get("intent")))
        answer = switch_answer(tracker)
        if answer is None or not form or entry is None:
            # Not a reply to the offer: the form (or the other policies) take the message.
            return [ActionExecutionRejected(self.name()), *cleared]
        if not answer:
            dispatcher.utter_message(response="utter_switch_kept", current=form_title(form))
            return cleared  # the policy runs the form next: it asks its question again
        return [*cleared, *switched(entry, offer.get("slots") or {})]


def switched(entry: str, carried: dict[str, Any]) -> list[dict[str, Any]]:
    """The events that end the form and start ``entry`` with the ``carried`` values."""
    return [
        ActiveLoop(None),
        *(SlotSet(slot, None) for slot in FORM_SLOTS if slot not in carried),
        *(SlotSet(slot, value) for slot, value in carried.items()),
        FollowupAction(entry),
    ]
