"""The abstract base of zhike's form validation actions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.context import (
    form_resumed,
    slot_before_latest_message,
)
from actions.form_binding import BINDING_SLOTS, BindingSlots
from actions.form_confirmation import ConfirmationSlot
from actions.identity import identify
from actions.order_questions import service_button
from actions.order_slot import UNSURE, VERIFY_BY_PHONE_SLOT, OrderSlot
from actions.parsing import typed_text
from actions.topics import form_intents
from actions.turns import suggested_intents
from actions.typed_answers import chosen_option, domain_buttons, shown_buttons
from actions.typed_parsing import (
    asks_progress,
    holds_then,
    looks_like_order_card,
    looks_like_request,
    says_more,
    says_stop,
    stop_then,
)
from zhike.common.choices import says_go_ahead, several_named
from zhike.common.confirmations import is_yes_or_thanks, says_only_go_on
from zhike.common.topic_names import (
    BUSINESS_INTENTS,
    CONTRADICTED_KEY,
    OUT_OF_SCOPE,
    OVERRULED_KEY,
    SECOND_OPINION_KEY,
    sure_of_intent,
)
from zhike.common.urges import urges, urges_only
from zhike.lib.backend_client import BackendUnavailable

MAX_FAILURES = 3  # the first ask + two re-asks; the third invalid answer gives up
FAILURES_SLOT = "form_failures"  # the invalid answers the running form has had

# Intents that are not an answer to a form's question: they leave the form (deny), ask
# something else (faq, chitchat: answered, then the form goes on) or switch topic.
INTERRUPTING_INTENTS = frozenset(
    {
        *("faq", "chitchat", "deny", "human_handoff", "goodbye", "bot_challenge", "complain"),
        *("thank", "rate_service"),  # "好的 谢谢啊", "好嘞 给你5星": no malformed order number
    }
)


class ZhikeFormValidationAction(
    OrderSlot, BindingSlots, ConfirmationSlot, FormValidationAction, ABC
):
    """Base of every ``validate_<form>`` action.

    Contract for subclasses:

    * ``name()`` returns ``"validate_<form name>"``.
    * For each required slot, define ``validate_<slot>(value, dispatcher, tracker, domain)``
      that parses ``value`` with a pure function (:mod:`actions.parsing`) and returns
      ``{slot: parsed}`` when valid, or ``self.reject(slot, dispatcher, tracker)`` when
      not (``self.accept(slot, parsed, dispatcher, tracker)`` does both). Free-text
      slots (``type: custom`` in the domain) also get an ``extract_<slot>`` that returns
      ``self.text_answer(slot, tracker)``.
    * ``reject`` tells the user what was wrong (``utter_invalid_<slot>``, owned by the
      designers) and clears the slot, which makes the form ask again. The third invalid
      answer in a form sets ``form_gave_up``: the form ends and its submit action
      (:class:`actions.submit.FormSubmitAction`) offers a human agent instead.
    * ``needs_customer = True`` marks forms that change a customer's data: an anonymous
      user first proves who they are (phone + one-time code), which binds their channel
      account to the customer.
    * A message with an interrupting intent (:data:`INTERRUPTING_INTENTS`; override
      :meth:`interrupted` to change that) fills nothing, so the form is rejected and the
      rules handle the question; the form asks again afterwards.
    * What the customer types decides before the NLU's intent where it can be read
      without doubt: a yes or no to the confirmation (``confirm_words`` name the change:
      "确定取消" confirms a cancellation), a button's title or number ("2", "第二个";
      :meth:`offered_option`), an order card pasted when the order number is asked.

    This base validates the slots every form shares: ``order_id``
    (:class:`actions.order_slot.OrderSlot`), ``confirmed`` and the binding slots.
    """

    needs_customer: ClassVar[bool] = False

    @abstractmethod
    def name(self) -> str:
        """The action name, ``validate_<form name>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Validates, unless the customer calls it off or names another order.

        "那还是不退了吧" while a reason is asked ends the form (:func:`says_stop`).

        "HP20240002发货了吗" while cancelling HP20240003 is a question about another
        order, not a new answer: the form keeps its order and gives the message up
        (``ActionExecutionRejected``) to be answered as a change of topic.
        """
        requested = tracker.get_slot("requested_slot")
        text = self.latest_text(tracker)
        rest = stop_then(text, self.confirm_words)
        if requested not in (None, "confirmed") and (says_stop(text, self.confirm_words) or rest):
            # "那还是不退了吧" while the reason is asked: the form ends, politely; what
            # follows ("那算了先不退了 我想问下保价") is offered as the clarification would
            buttons = self.offers_after_stop(tracker) if rest and says_more(rest) else []
            if buttons:
                dispatcher.utter_message(response="utter_form_stopped_then_pick", buttons=buttons)
            else:
                dispatcher.utter_message(response="utter_form_stopped")
            return [SlotSet("form_gave_up", True), SlotSet("requested_slot", None)]
        held = holds_then(text, self.confirm_words) and not form_resumed(tracker, self.form_name())
        if requested not in (None, "confirmed") and held:
            # "先别取消 帮我看看HP20240003什么时候发货": not the order to cancel; answered
            # in passing (the topic switch), and the form asks its question again
            return [ActionExecutionRejected(self.form_name())]
        kept = slot_before_latest_message(tracker, "order_id")
        current = tracker.get_slot("order_id")
        if kept and current != kept and requested not in (None, "order_id"):
            return [SlotSet("order_id", kept), ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    def offers_after_stop(self, tracker: Tracker) -> list[dict[str, str]]:
        """Buttons for the likeliest requests of the message, other than this form's own.

        With the order the message names: "算了不退了 帮我查下HP20240001的物流" offers the
        parcel of HP20240001.
        """
        own = form_intents(self.form_name())
        latest = tracker.latest_message or {}
        named = [e["value"] for e in latest.get("entities") or [] if e.get("entity") == "order_id"]
        return [
            service_button(intent, named[0] if named else None)
            for intent in suggested_intents(latest)[:3]
            if intent in BUSINESS_INTENTS and intent not in own
        ][:2]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Extracts from the customer's message only when the form runs right after it.

        A form resumed after something else (an FAQ answer, "继续" to a switch question,
        an answer in passing) asks its question again; the message that was handled
        meanwhile is not an answer to it.
        """
        if form_resumed(tracker, self.form_name()):
            return []
        return list(await super().get_extraction_events(dispatcher, tracker, domain))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Validates the slots set this turn, except those only cleared.

        A switch of topic clears the old form's slots and starts the new form, which Rasa
        validates with them: ``order_id`` cleared was 「不用输入订单号哦」 and a cleared
        ``confirmed`` a no. Nothing the customer said is in a cleared slot.
        """
        events, start = tracker.events, len(tracker.events)
        while start and events[start - 1].get("event") == "slot":
            start -= 1  # the candidates: the slot events at the end (rasa_sdk's own rule)
        events[start:] = [event for event in events[start:] if event.get("value") is not None]
        return list(await super().get_validation_events(dispatcher, tracker, domain))

    # --- which slots --------------------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The domain's slots, preceded by the binding slots for an anonymous user.

        Also in a form that needs no customer when the customer does not know the order
        number (``verify_by_phone``): once verified, they pick the order from theirs.
        Empty once the form gave up (which ends it).
        """
        if tracker.get_slot("form_gave_up"):
            return []
        slots = await self.form_slots(list(domain_slots), tracker)
        verify = self.needs_customer or tracker.get_slot(VERIFY_BY_PHONE_SLOT)
        if verify and not await self._bound(tracker):
            slots = [*BINDING_SLOTS, *slots]
        return slots

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Hook: the form's own slots (default: as in the domain)."""
        return domain_slots

    async def _bound(self, tracker: Tracker) -> bool:
        try:
            return (await identify(tracker)).customer_id is not None
        except BackendUnavailable:
            return False

    # --- extraction ---------------------------------------------------------------------

    def interrupted(self, tracker: Tracker, free_text: bool = False) -> bool:
        """Whether the latest message asks something else instead of answering.

        Args:
            tracker: the conversation.
            free_text: the question takes any text (an address, a reason): only
                :data:`INTERRUPTING_INTENTS` interrupt it, not other requests.
        """
        latest = tracker.latest_message or {}
        if self.latest_text(tracker).isdigit():
            return False  # "43" (a size), "8001", "5": an answer, whatever the NLU made of it
        intent = latest.get("intent") or {}
        contradicted = latest.get(CONTRADICTED_KEY)  # a request, though which one is asked
        name = contradicted.get("intent") if isinstance(contradicted, dict) else intent.get("name")
        opinion = latest.get(SECOND_OPINION_KEY) or {}
        if (
            free_text
            and name == UNSURE
            and isinstance(opinion, dict)
            and opinion.get(OVERRULED_KEY)
        ):
            name = opinion[OVERRULED_KEY]  # "等下 我先问下专票能开吗": DIET's request, doubted
        if name in INTERRUPTING_INTENTS:
            return True
        if self.urged(tracker):
            return False  # "能不能快点 我急用" asked which order or a phone: see reject
        confident = sure_of_intent(latest)  # DIET sure, or the words' frame decided
        if name == OUT_OF_SCOPE:
            # "今天天气咋样" asks something else (it was rejected as a malformed order
            # number); "随便吧" to "调到什么时间" is a vague answer, and a reason or an
            # address may be any text: those stay answers
            text = self.latest_text(tracker)
            return confident and not free_text and looks_like_request(text)
        if name not in BUSINESS_INTENTS or not confident:
            return False
        if not free_text:
            return True
        # A reason or an address may be any text, but not another request or a question
        # ("我之前那个退款处理得怎么样了" is not a refund reason, whatever its intent).
        text = self.latest_text(tracker)
        own = name in form_intents(self.form_name())
        return asks_progress(text) or (not own and looks_like_request(text))

    def impatient(self, tracker: Tracker) -> bool:
        """Whether the latest message only urges a question with several options.

        "能不能快点 我急用" asked which order (or which reason) is no answer and no other
        request: :meth:`reject` asks kindly to pick, and no failed answer is counted.
        """
        shown = shown_buttons(tracker, self.form_name())
        return len(shown) > 1 and urges_only(self.latest_text(tracker))

    def urged(self, tracker: Tracker) -> bool:
        """Whether the latest message only urges the form's question, whatever it asks.

        "能不能快点 我急用" asked for a phone or an order number is no answer either, and
        no parcel query: :meth:`reject` asks kindly for the answer, no failure counted. So
        is an urge about the form's own matter ("都一个星期了还没到账" for a refund).
        """
        text = self.latest_text(tracker)
        if tracker.get_slot("requested_slot") is None or not urges(text):
            return False
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        # "都一个星期了还没到账" asked which refund: the form's own matter, chased
        return urges_only(text) or intent in (*form_intents(self.form_name()), UNSURE)

    def text_answer(self, slot: str, tracker: Tracker, free_text: bool = False) -> dict[str, Any]:
        """``{slot: text}`` when the form asked for ``slot`` and the user answered.

        A pasted order card answers only "which order?": its digits are no phone digits,
        code or reason.
        """
        if tracker.get_slot("requested_slot") != slot or self.interrupted(tracker, free_text):
            return {}
        text = self.latest_text(tracker)
        if slot != "order_id" and looks_like_order_card(text):
            return {}
        return {slot: text} if text else {}

    # --- helpers ------------------------------------------------------------------------

    def accept(
        self, slot: str, parsed: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """``{slot: parsed}``, or :meth:`reject` when the parser found nothing (``None``).

        Neither "能不能快点" nor "哦好的 那继续吧" (after an answer given in passing) nor a
        plain yes ("确定") is a reason, a title or an address.
        """
        go_on = isinstance(parsed, str) and (says_only_go_on(parsed) or is_yes_or_thanks(parsed))
        if parsed is None or self.impatient(tracker) or go_on:
            return self.reject(slot, dispatcher, tracker)
        return {slot: parsed}

    def reject(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Tells the user ``slot``'s value was invalid and clears it so the form re-asks.

        The third invalid answer in the form ends it (``form_gave_up``) without another
        question; the submit action then offers a human agent.
        """
        text, shown = self.latest_text(tracker), shown_buttons(tracker, self.form_name())
        named = several_named(text, shown)
        if named is not None:  # "阅读那个" with two reading lessons
            return self.which_named(slot, dispatcher, named)
        if self.urged(tracker):  # "能不能快点" to "哪一笔订单" or to "您的手机号": no failure
            pick = len(shown) > 1
            dispatcher.utter_message(
                response="utter_urged_pick_one" if pick else "utter_urged_answer"
            )
            return {slot: None}
        if len(shown) > 1 and (is_yes_or_thanks(text) or says_go_ahead(text, self.confirm_words)):
            # "好的" to "哪一节课", "好的 那就退吧" to "哪一笔订单": no failed answer
            dispatcher.utter_message(response="utter_pick_one")
            return {slot: None}
        if says_only_go_on(text):  # "哦好的 那继续吧": the question again, no failed answer
            return {slot: None}
        failures = int(tracker.get_slot(FAILURES_SLOT) or 0) + 1
        if failures >= MAX_FAILURES:
            return {slot: None, FAILURES_SLOT: float(failures), "form_gave_up": True}
        dispatcher.utter_message(response=response or f"utter_invalid_{slot}", **kwargs)
        return {slot: None, FAILURES_SLOT: float(failures)}

    def which_named(
        self, slot: str, dispatcher: CollectingDispatcher, named: str
    ) -> dict[str, Any]:
        """Asks which of the options a reply names (no failed answer: the customer helped)."""
        dispatcher.utter_message(response="utter_several_named", named=named)
        return {slot: None}

    @staticmethod
    def latest_text(tracker: Tracker) -> str:
        """The text the user typed last (see :func:`~actions.parsing.typed_text`)."""
        return typed_text((tracker.latest_message or {}).get("text"))

    def offered_option(self, slot: str, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """``{slot: value}`` when the user typed one of the buttons ``slot``'s question offers.

        Typing "七天无理由退货" (the value), "不想要了（七天无理由）" (the title), or "3" /
        "第三个" / "③" (its place among the buttons the form showed) is the same as
        clicking that button, whatever the NLU made of the words (see
        :mod:`actions.typed_answers`).
        """
        if tracker.get_slot("requested_slot") != slot:
            return {}
        text = self.latest_text(tracker)
        shown = shown_buttons(tracker, self.form_name())
        described = domain_buttons(domain, self.form_name(), slot)
        value = chosen_option(text, slot, shown, described, self.confirm_words)
        return {} if value is None else {slot: value}
