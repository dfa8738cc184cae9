"""An impatient customer inside a form is asked again kindly, never sent somewhere else.

"能不能快点 我急着报销" to a confirmation, or "能不能快点 我急用" asked for a phone or an
address, names nothing of its own: the NLU, sure it is a parcel query, had the form give
it up and the parcel shown, or a failed answer counted. Also, in the address form: goods
named whose order is not offered are told why, not 「不用输入订单号」, and the new address
given before the order is noted, not called a malformed order number.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ValidateAccountBindingForm
from actions.order_changes import ValidateAddressForm
from actions.return_disputes import ValidateReturnDisputeForm

from .conftest import Turn
from .test_typed_answers import asked, question, slot_events

pytestmark = pytest.mark.usefixtures("knowledge")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def _confirm(zhang: Turn, said: str, intent: str, domain: dict[str, Any]) -> tuple:
    messages = question(domain, "utter_ask_address_form_confirmed")
    slots = {"order_id": "HP20241204", "new_address": "北京市朝阳区建国路93号"}
    tracker = asked(
        zhang, "address_form", messages, said, intent, requested_slot="confirmed", **slots
    )
    tracker.active_loop = {"name": "address_form"}
    told = CollectingDispatcher()
    events = await ValidateAddressForm().run(told, tracker, domain)
    return slot_events(events), responses(told)


async def test_an_urge_to_the_confirmation_asks_it_again_kindly(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    for said in ("能不能快点 我急着报销", "怎么这么慢啊"):
        slots, said_back = await _confirm(zhang, said, "query_logistics", real_domain)
        assert slots.get("confirmed") is None  # no yes: a change needs the customer's word
        assert said_back == ["utter_urged_confirm"]
    # a yes said impatiently is a yes; a no is a no
    assert (await _confirm(zhang, "确认 快点", "query_logistics", real_domain))[0] == {
        "confirmed": True
    }
    assert (await _confirm(zhang, "算了不改了", "deny", real_domain))[0] == {"confirmed": False}


async def test_an_urge_asked_for_the_phone_is_no_parcel_query_and_no_failure(
    anonymous: Turn,
) -> None:
    form = ValidateAccountBindingForm()
    for said in ("能不能快点 我急用", "怎么这么慢"):
        told = CollectingDispatcher()
        tracker = anonymous(said, "query_logistics", requested_slot="bind_phone")
        extracted = await form.extract_bind_phone(told, tracker, {})
        assert extracted == {"bind_phone": said}  # not given up to the parcel's topic switch
        slots = await form.validate_bind_phone(said, told, tracker, {})
        assert slots == {"bind_phone": None}  # asked again, no failed answer counted
        assert responses(told) == ["utter_urged_answer"]
    # a question asked instead still interrupts
    tracker = anonymous("你们的退货政策是什么", "faq", requested_slot="bind_phone")
    assert await form.extract_bind_phone(CollectingDispatcher(), tracker, {}) == {}


async def test_an_urge_asked_for_the_address_or_an_account_is_asked_again_kindly(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    told = CollectingDispatcher()
    messages = question(real_domain, "utter_ask_new_address")
    tracker = asked(
        zhang,
        "address_form",
        messages,
        "能不能快点",
        "query_logistics",
        requested_slot="new_address",
        order_id="HP20241204",
    )
    tracker.active_loop = {"name": "address_form"}
    events = await ValidateAddressForm().run(told, tracker, real_domain)
    assert slot_events(events) == {"new_address": None}
    assert responses(told) == ["utter_urged_answer"]

    told = CollectingDispatcher()
    form = ValidateReturnDisputeForm()
    tracker = zhang("能不能快点啊", "query_logistics", requested_slot="dispute_description")
    slots = await form.validate_dispute_description("能不能快点啊", told, tracker, real_domain)
    assert slots == {"dispute_description": None}  # "快点" tells the team nothing
    assert responses(told) == ["utter_urged_answer"]
    said = "商家说我把东西用坏了才拒收 太慢了"  # an account with urging is an account
    tracker = zhang(said, "complain", requested_slot="dispute_description")
    slots = await form.validate_dispute_description(said, told, tracker, real_domain)
    assert slots["dispute_description"] == said


async def test_goods_named_whose_order_is_not_offered_are_told_why(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    """The address form offers unshipped orders; 张伟's phones and kettle are not."""
    form = ValidateAddressForm()

    async def named(said: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        told = CollectingDispatcher()
        tracker = zhang(said, "inform", requested_slot="order_id")
        tracker.active_loop = {"name": "address_form"}
        return await form.validate_order_id(said, told, tracker, real_domain), told.messages

    slots, [message] = await named("就是那个手机")  # several phone orders, shipped or signed
    assert slots == {"order_id": None}  # no failed answer: the customer named it
    assert message["response"] == "utter_named_not_offered"
    listed = message["orders"].split("、")
    assert "HP20240001" in listed and "HP20241001" in listed
    assert "HP20241204" not in listed  # the unshipped air conditioner is offered, not named
    slots, [message] = await named("那个水壶")  # one order, signed: the rule, as for its number
    assert slots["order_id"] == "HP20241304" and slots["form_gave_up"] is True
    assert message["response"] != "utter_order_id_help_known"
    # goods of no order at all: where to find the order, as before
    slots, [message] = await named("那个冰箱")
    assert message["response"] == "utter_order_id_help_known"


async def test_the_new_address_given_before_the_order_is_noted_not_a_bad_number(
    zhang: Turn, real_domain: dict[str, Any]
) -> None:
    """ "上海市浦东新区张江路88号" asked which order got 「订单号格式好像不太对」."""
    listed = [{"text": "请问是哪一笔订单呢？", "buttons": [], "response": "utter_ask_order_id"}]
    said = "上海市浦东新区张江路88号 李明"
    tracker = asked(zhang, "address_form", listed, said, "inform", requested_slot="order_id")
    tracker.active_loop = {"name": "address_form"}
    told = CollectingDispatcher()
    events = await ValidateAddressForm().run(told, tracker, real_domain)
    assert slot_events(events) == {"new_address": said}
    assert responses(told) == ["utter_address_noted"]  # then which order, asked again
