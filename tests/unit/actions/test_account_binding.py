"""The binding flow (phone -> code -> bound) keeps the phone with the backend, and tells
the customer politely when a code limit of the backend was reached.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ValidateAccountBindingForm
from zhike.lib.backend_client import BackendRateLimited
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn, make_turn

DOMAIN: dict = {}
# a digit-less answer may be a question the knowledge base answers
pytestmark = pytest.mark.usefixtures("knowledge")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_the_second_turn_needs_no_full_phone(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateAccountBindingForm()
    asked = anonymous("我的手机号是13800138001", requested_slot="bind_phone")
    slots = await form.validate_bind_phone("13800138001", dispatcher, asked, DOMAIN)
    assert slots == {"bind_phone": "138****8001"} and "13800138001" not in str(slots)
    code = backend.last_code("13800138001")
    assert code is not None
    # the tracker store may mask the slot further: any non-empty value will do
    answer = anonymous(code, requested_slot="bind_code", bind_phone="***********")
    result = await form.validate_bind_code(code, dispatcher, answer, DOMAIN)
    assert result["bind_code"] == "verified"
    assert responses(dispatcher) == ["utter_binding_code_sent", "utter_binding_done"]
    assert await backend.get_binding("socketio", "web-session-anon") == "C001"


async def test_a_phone_that_just_got_a_code_is_not_texted_again(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await backend.request_binding_code("13800138001", "socketio", "someone-else")
    tracker = anonymous("13800138001", requested_slot="bind_phone")
    result = await ValidateAccountBindingForm().validate_bind_phone(
        "13800138001", dispatcher, tracker, DOMAIN
    )
    assert result == {"bind_phone": None, "form_gave_up": True}
    assert responses(dispatcher) == ["utter_binding_too_many_codes"]
    assert dispatcher.messages[0]["retry_minutes"] == 1
    assert len(backend.sent_codes.messages) == 1


class _LimitedBackend:
    """A backend whose code confirmations are locked (too many wrong codes)."""

    def __init__(self) -> None:
        self.confirmed: list[tuple[Any, ...]] = []

    async def get_binding(self, channel: str, channel_user_id: str) -> None:
        return None

    async def confirm_binding(self, *args: Any, **kwargs: Any) -> str:
        self.confirmed.append((*args, kwargs))
        raise BackendRateLimited("验证码错误次数过多", "too_many_attempts", retry_after=1500)


async def test_a_locked_phone_ends_the_form_politely(dispatcher: CollectingDispatcher) -> None:
    from actions.services import set_backend

    limited = _LimitedBackend()
    set_backend(limited)  # type: ignore[arg-type]
    try:
        turn = make_turn("web-session-locked", "socketio")
        tracker = turn("123456", requested_slot="bind_code", bind_phone="138****8001")
        result = await ValidateAccountBindingForm().validate_bind_code(
            "123456", dispatcher, tracker, DOMAIN
        )
    finally:
        set_backend(None)
    assert result == {"bind_code": None, "form_gave_up": True}
    assert responses(dispatcher) == ["utter_binding_too_many_codes"]
    assert dispatcher.messages[0]["retry_minutes"] == 25
    # the backend picks the code: no phone is sent back, masked or not
    assert limited.confirmed == [(None, "123456", "socketio", "web-session-locked", {})]


# What customers say instead of the number while the identity check waits for it.


async def _phone_step(turn: Turn, text: str, intent: str, dispatcher: CollectingDispatcher) -> dict:
    form = ValidateAccountBindingForm()
    tracker = turn(text, intent, requested_slot="bind_phone")
    extracted = await form.extract_bind_phone(dispatcher, tracker, DOMAIN)
    if "bind_phone" not in extracted:
        return {"extracted": extracted}
    return await form.validate_bind_phone(extracted["bind_phone"], dispatcher, tracker, DOMAIN)


async def _code_step(turn: Turn, text: str, intent: str, dispatcher: CollectingDispatcher) -> dict:
    form = ValidateAccountBindingForm()
    tracker = turn(text, intent, requested_slot="bind_code", bind_phone="138****8001")
    extracted = await form.extract_bind_code(dispatcher, tracker, DOMAIN)
    if "bind_code" not in extracted:
        return {"extracted": extracted}
    return await form.validate_bind_code(extracted["bind_code"], dispatcher, tracker, DOMAIN)


async def test_no_sms_yet_is_asked_to_wait_or_give_the_right_phone(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    # read as a parcel not received, it must not switch to the logistics topic
    slots = await _code_step(anonymous, "没收到啊", "query_logistics", dispatcher)
    assert slots == {"bind_code": None}  # not counted as a wrong code
    assert responses(dispatcher) == ["utter_binding_code_not_received"]
    # told to reply the right phone if none comes: a phone at the code step gets a code
    form = ValidateAccountBindingForm()
    tracker = anonymous("13900139002", "inform", requested_slot="bind_code", bind_phone="x")
    extracted = await form.extract_bind_code(dispatcher, tracker, DOMAIN)
    assert extracted == {"bind_phone": "13900139002"}
    slots = await form.validate_bind_phone("13900139002", dispatcher, tracker, DOMAIN)
    assert slots == {"bind_phone": "139****9002"}
    assert backend.last_code("13900139002") is not None


async def test_waiting_for_the_sms_is_no_wrong_code(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _code_step(anonymous, "等一下", "nlu_fallback", dispatcher)
    assert slots == {"bind_code": None}  # not counted as a failure
    assert responses(dispatcher) == ["utter_binding_wait"]


async def test_a_forgotten_order_number_is_no_forgotten_phone(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    # the refund asks for the phone first; the customer worries about the order number
    slots = await _phone_step(anonymous, "不记得订单号了", "nlu_fallback", dispatcher)
    assert slots == {"bind_phone": None}  # asked again, not given up, no human offered
    assert responses(dispatcher) == ["utter_bind_no_order_id_needed"]


async def test_a_forgotten_phone_is_offered_a_human(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _phone_step(anonymous, "我手机号换了", "change_receiver_phone", dispatcher)
    assert slots == {"bind_phone": None, "form_gave_up": True}
    assert responses(dispatcher) == ["utter_bind_phone_unknown"]


async def test_words_instead_of_a_phone_are_told_why_not_that_the_format_is_wrong(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _phone_step(anonymous, "为什么要手机号", "nlu_fallback", dispatcher)
    assert slots == {"bind_phone": None, "form_failures": 1.0}
    await _phone_step(anonymous, "1380013", "inform", dispatcher)  # a short number
    assert responses(dispatcher) == ["utter_bind_phone_needed", "utter_invalid_bind_phone"]


async def test_a_confident_question_still_interrupts_the_phone_question(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _phone_step(anonymous, "你们的退货政策是什么", "faq", dispatcher)
    assert slots == {"extracted": {}}  # given up: the topic switch answers it
    assert dispatcher.messages == []


async def test_a_question_at_the_code_step_is_answered_and_the_code_asked_again(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    # the NLU was unsure of it, so the form read it as the code
    slots = await _code_step(anonymous, "对了退货的运费谁出啊", "nlu_fallback", dispatcher)
    assert slots == {"bind_code": None}  # not counted as a failure; the code is asked again
    [answer] = dispatcher.messages
    assert "退货运费" in answer["text"]


async def test_an_order_number_given_for_the_phone_is_kept_not_called_a_bad_phone(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = await _phone_step(anonymous, "HP20240003", "inform", dispatcher)
    assert slots == {"bind_phone": None}  # no failure counted; the phone is asked again
    [message] = dispatcher.messages
    assert message["response"] == "utter_bind_phone_got_order"
    assert message["order_id"] == "HP20240003"


async def test_the_last_four_digits_are_told_the_whole_number_is_needed_here(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    # the order lookup asks for the last 4 digits; here a code is sent to the whole number
    slots = await _phone_step(anonymous, "8001", "inform", dispatcher)
    assert slots == {"bind_phone": None}  # no failure counted
    assert responses(dispatcher) == ["utter_bind_phone_full_needed"]


async def test_a_phone_typed_on_its_own_starts_the_check_with_that_number(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateAccountBindingForm()
    typed = anonymous("13800138001", "inform")  # the form just started: nothing asked yet
    assert await form.extract_bind_phone(dispatcher, typed, DOMAIN) == {"bind_phone": "13800138001"}
    # a message that started the check without a number is asked for it as ever
    plain = anonymous("我要验证身份", "bind_account")
    assert await form.extract_bind_phone(dispatcher, plain, DOMAIN) == {}
    # a number in a request is the request's (a new receiver), not who the customer is
    receiver = anonymous("收货电话改成13912345678", "change_receiver_phone")
    assert await form.extract_bind_phone(dispatcher, receiver, DOMAIN) == {}
