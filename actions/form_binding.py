"""The identity check every form that changes data shares: phone, then a one-time code.

A mixin of :class:`actions.forms.ZhikeFormValidationAction`: an anonymous user proves
who they are (phone + one-time code), which binds their channel account to the customer.

A message without a digit is no wrong number: customers say "等一下" while the SMS comes,
"没收到" when it does not (a phone number given then gets a new code), "我不记得
手机号了" (a human can check who they are), "不记得订单号了" (no need: the orders are
listed once verified), or ask why. Each gets its own answer
(:func:`aside`), never "手机号格式不对"; "没收到" is not a question about a parcel here.
A question the knowledge base answers ("退货运费谁出" while the code is asked, which the
NLU was unsure of) is answered, and the phone or code asked again; an order number given
for the phone is kept for the request and the phone asked again, and so is a detail of
the request itself ("买错了" for a refund, "下周三晚上7点" for a lesson;
:meth:`BindingSlots.noted_detail`). The last 4 digits (which the order lookup asks for)
are told that the whole number is needed here, without counting as a wrong answer.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_parts import FormPart
from actions.identity import forget_identity, input_channel
from actions.knowledge import answer_if_known
from actions.parsing import (
    is_only_mobile_phone,
    normalize_text,
    parse_binding_code,
    parse_mobile_phone,
    parse_order_id,
)
from actions.services import backend
from zhike.common.privacy import mask_phone
from zhike.lib.backend_client import BackendError, BackendRateLimited, BackendUnavailable

BINDING_SLOTS = ("bind_phone", "bind_code")
# Questions answered with the customer's phone (all of it, or its last 4 digits).
PHONE_SLOTS = ("bind_phone", "phone_last4")

# The last 4 digits of a phone: what the order lookup asks for, not the whole number.
LAST4 = re.compile(r"\s*\d{4}\s*")
# What a message without digits says instead of the number asked for.
NOT_RECEIVED, WAIT, NO_PHONE = "not_received", "wait", "no_phone"
NO_ORDER_ID = "no_order_id"
_NOT_RECEIVED = re.compile(r"没收到|收不到|没有收到|没来|还没到|没到|重发|重新发|再发|没.{0,2}短信")
_WAIT = re.compile(
    r"^(?:等一?下|稍等一?下?|等等|等会儿?|马上|好的?|嗯+|ok|okay|好滴|收到|行|我?(?:找|看|查)一?[下看])"
    r"[哈啊呀哦吧噢喔嘛呢]*\W*$",
    re.I,
)
# "不记得订单号了" while the phone is asked: the order number is not needed here
_UNKNOWN = r"(?:不记得|忘了|忘记|记不清|不知道|找不到|查不到|没有)"
_ORDER_NUMBER = r"(?:订单号|单号|订单编号)"
_NO_ORDER_ID = re.compile(f"{_UNKNOWN}了?.{{0,3}}{_ORDER_NUMBER}|{_ORDER_NUMBER}.{{0,4}}{_UNKNOWN}")
_NO_PHONE = re.compile(
    r"不记得|忘了|忘记|记不清|不知道.{0,3}号|没有手机|没手机|换号|换了|停机|注销|不是我的|不用那个"
)


def aside(text: Any, slot: str) -> str | None:
    """What a message without a digit says while ``slot`` is asked; ``None``: nothing known.

    :data:`NOT_RECEIVED` (the code), :data:`WAIT`, or for a phone slot
    :data:`NO_ORDER_ID` (the order number is not known) or :data:`NO_PHONE`.
    """
    text = normalize_text(text)
    if not text or has_digit(text):
        return None
    if _WAIT.match(text):
        return WAIT
    if slot == "bind_code" and _NOT_RECEIVED.search(text):
        return NOT_RECEIVED
    if slot in PHONE_SLOTS and _NO_ORDER_ID.search(text):
        return NO_ORDER_ID
    if slot in PHONE_SLOTS and _NO_PHONE.search(text):
        return NO_PHONE
    return None


class BindingSlots(FormPart):
    """Extraction and validation of ``bind_phone`` and ``bind_code``."""

    async def after_binding(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Hook: slots to set once the customer is known (default: none)."""
        return {}

    def noted_detail(self, text: str, tracker: Tracker) -> str | None:
        """Hook: what ``text`` says about the request itself, for the customer to see.

        Said where the phone or code is asked ("买错了" for a refund, "下周三晚上7点" for
        a lesson), it is no wrong number: the customer hears "好的，退款原因「买错了」我先
        记下了", the phone or code is asked again, and the form takes the detail from
        what was said (:func:`actions.context.said_in_form`). Default: nothing.
        """
        return None

    def _noted(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """Says a detail of the request was noted (:meth:`noted_detail`); whether it was."""
        detail = self.noted_detail(normalize_text(value), tracker)
        if detail is None:
            return False
        dispatcher.utter_message(response="utter_binding_noted", detail=detail)
        return True

    async def extract_bind_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The phone number the user gives to prove who they are (or what they say instead).

        A message of nothing but a mobile number that started the check ("13800138001"
        typed on its own) is taken at once: the customer is not asked for what they just
        said. A number in a request ("收货电话改成139…") is not who the customer is.
        """
        text = (tracker.latest_message or {}).get("text")
        if tracker.get_slot("requested_slot") is None and is_only_mobile_phone(text):
            return {"bind_phone": text}
        return self.aside_answer("bind_phone", tracker) or self.text_answer("bind_phone", tracker)

    async def extract_bind_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The one-time code (or what the user says instead).

        A mobile number instead of the code is a new try at the phone ("没收到" was
        answered with: reply the right number): a code goes to it.
        """
        text = (tracker.latest_message or {}).get("text")
        if tracker.get_slot("requested_slot") == "bind_code" and parse_mobile_phone(text):
            return {"bind_phone": text}
        return self.aside_answer("bind_code", tracker) or self.text_answer("bind_code", tracker)

    def aside_answer(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """``{slot: text}`` for an :func:`aside` or a detail of the request, whatever the intent.

        "没收到" read as a parcel not received, or "手机号换了" as a change of phone,
        must not switch the topic: the validation answers it.
        """
        if tracker.get_slot("requested_slot") != slot:
            return {}
        text = (tracker.latest_message or {}).get("text")
        # "买错了" (a refund's reason) is noted whatever the NLU made of it: it matches
        # 「买错了能退吗」 of the return policy, and was then neither noted nor answered
        detail = self.noted_detail(normalize_text(text), tracker)
        return {slot: text} if aside(text, slot) or detail is not None else {}

    async def validate_bind_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sends a one-time code to a well-formed mainland mobile number.

        The slot keeps only the masked number: the backend knows the phone the code went
        to, so confirming it needs nothing but the code and this sender.
        """
        phone = parse_mobile_phone(value)
        if phone is None:
            return await self._no_phone(value, dispatcher, tracker)
        channel, sender = input_channel(tracker), tracker.sender_id
        try:
            await backend().request_binding_code(phone, channel, sender)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"bind_phone": None, "form_gave_up": True}
        except BackendError as error:
            if isinstance(error, BackendRateLimited) or error.code == "too_many_codes":
                _too_many(dispatcher, error)
                return {"bind_phone": None, "form_gave_up": True}
            return self.reject("bind_phone", dispatcher, tracker)
        masked = mask_phone(phone)
        dispatcher.utter_message(response="utter_binding_code_sent", masked_phone=masked)
        return {"bind_phone": masked}

    async def validate_bind_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Binds the channel user to the customer when the code is right.

        The backend checks this sender's newest code: the phone in the slot (masked) is
        not sent back.
        """
        code = parse_binding_code(value)
        if code is None or not tracker.get_slot("bind_phone"):
            return await self._no_code(value, dispatcher, tracker)
        channel, sender = input_channel(tracker), tracker.sender_id
        try:
            await backend().confirm_binding(None, code, channel, sender)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"bind_code": None, "form_gave_up": True}
        except BackendRateLimited as error:
            _too_many(dispatcher, error)
            return {"bind_code": None, "form_gave_up": True}
        except BackendError:
            return self.reject("bind_code", dispatcher, tracker)
        forget_identity(tracker)
        dispatcher.utter_message(response="utter_binding_done")
        # The code is single-use: keep no copy of it in the conversation.
        return {
            "bind_code": "verified",
            "form_failures": 0.0,
            **await self.after_binding(dispatcher, tracker),
        }

    async def _no_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        kind = aside(value, "bind_phone")
        if kind == WAIT:
            dispatcher.utter_message(response="utter_binding_wait")
            return {"bind_phone": None}
        if kind == NO_ORDER_ID:  # the orders are listed once the customer is verified
            dispatcher.utter_message(response="utter_bind_no_order_id_needed")
            return {"bind_phone": None}
        if kind == NO_PHONE:  # a human can check who they are
            dispatcher.utter_message(response="utter_bind_phone_unknown")
            return {"bind_phone": None, "form_gave_up": True}
        order_id = parse_order_id(value)
        if order_id is not None:  # kept (slot order_id) for the request after the check
            dispatcher.utter_message(response="utter_bind_phone_got_order", order_id=order_id)
            return {"bind_phone": None}
        if self._noted(value, dispatcher, tracker):
            return {"bind_phone": None}
        if LAST4.fullmatch(normalize_text(value)):  # the last 4 digits other checks ask for
            dispatcher.utter_message(response="utter_bind_phone_full_needed")
            return {"bind_phone": None}
        if has_digit(value):
            return self.reject("bind_phone", dispatcher, tracker)
        if await answer_if_known(
            dispatcher, str(value), input_channel(tracker), tracker.active_loop_name
        ):
            return {"bind_phone": None}  # a question: answered, then the phone again
        return self.reject("bind_phone", dispatcher, tracker, "utter_bind_phone_needed")

    async def _no_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        kind = aside(value, "bind_code")
        if kind == WAIT:
            dispatcher.utter_message(response="utter_binding_wait")
            return {"bind_code": None}
        if kind == NOT_RECEIVED:  # wait a little, or reply the right phone for a new code
            dispatcher.utter_message(response="utter_binding_code_not_received")
            return {"bind_code": None}
        if tracker.get_slot("bind_phone") and self._noted(value, dispatcher, tracker):
            return {"bind_code": None}
        if has_digit(value) or not tracker.get_slot("bind_phone"):
            return self.reject("bind_code", dispatcher, tracker)
        if await answer_if_known(
            dispatcher, str(value), input_channel(tracker), tracker.active_loop_name
        ):
            return {"bind_code": None}  # a question: answered, then the code again
        return self.reject("bind_code", dispatcher, tracker, "utter_bind_code_needed")


def has_digit(value: Any) -> bool:
    """Whether ``value`` has a digit (any width): an attempt at a number, not words."""
    return bool(re.search(r"\d", normalize_text(value)))


def _too_many(dispatcher: CollectingDispatcher, error: BackendError) -> None:
    """Asks the customer to try the code again later (a limit of the backend was reached).

    ``retry_minutes`` is there for a response that wants to say how long.
    """
    seconds = getattr(error, "retry_after", None) or 600.0
    minutes = max(1, math.ceil(seconds / 60))
    dispatcher.utter_message(response="utter_binding_too_many_codes", retry_minutes=minutes)
