"""The order change forms over the in-process backend: cancelling, a new address, a refund
and its progress, and the rules each order allows (张伟 C001, 李娜 C002)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.invoices import ActionRequestInvoice
from actions.order_changes import (
    ActionCancelOrder,
    ActionChangeAddress,
    ValidateAddressForm,
    ValidateCancelOrderForm,
)
from actions.refunds import ActionRefundStatus, ActionRequestRefund, ValidateRefundForm
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn
from .proofs import proved_tickets

DOMAIN: dict = {}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_cancel_after_yes_cancels_and_after_no_keeps(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionCancelOrder().run(dispatcher, zhang(order_id="HP20240003", confirmed=False), DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_cancelled"]
    order = await backend.get_order("HP20240003")
    assert order is not None and order.status == "paid"

    events = await ActionCancelOrder().run(
        dispatcher, zhang(order_id="HP20240003", confirmed=True), DOMAIN
    )
    assert responses(dispatcher)[-1] == "utter_order_cancelled"
    assert "原路退回" in dispatcher.messages[-1]["refund_note"]
    order = await backend.get_order("HP20240003")
    assert order is not None and order.status == "cancelled"
    assert SlotSet("confirmed", None) in events and SlotSet("order_id", None) in events

    again = CollectingDispatcher()  # "取消HP20240003" once more: it is, nothing to explain
    result = await ValidateCancelOrderForm().validate_order_id("HP20240003", again, zhang(), DOMAIN)
    assert responses(again) == ["utter_order_already_cancelled"]
    assert result["form_gave_up"] is True


async def test_a_shipped_order_gets_the_alternative(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionCancelOrder().run(dispatcher, zhang(order_id="HP20240001", confirmed=True), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_order_not_cancellable"
    assert message["status_label"] == "已发货，正在运输中" and "拒收" in message["alternative"]


async def test_changes_to_another_customers_order_are_refused(
    li_app: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionCancelOrder().run(dispatcher, li_app(order_id="HP20240003", confirmed=True), DOMAIN)
    tracker = li_app(order_id="HP20240003", new_address="北京市朝阳区建国路93号", confirmed=True)
    await ActionChangeAddress().run(dispatcher, tracker, DOMAIN)
    tracker = li_app(order_id="HP20240002", refund_reason="不想要了", confirmed=True)
    await ActionRequestRefund().run(dispatcher, tracker, DOMAIN)
    tracker = li_app(order_id="HP20240002", invoice_title="个人", confirmed=True)
    await ActionRequestInvoice().run(dispatcher, tracker, DOMAIN)

    assert responses(dispatcher) == ["utter_order_not_found"] * 4
    order = await backend.get_order("HP20240003")
    assert order is not None and order.status == "paid"
    assert order.shipping_address.startswith("上海市")


async def test_an_anonymous_user_cannot_change_anything(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionCancelOrder().run(
        dispatcher, anonymous(order_id="HP20240003", confirmed=True), DOMAIN
    )
    assert responses(dispatcher) == ["utter_need_customer"]
    assert not any(call[0] == "cancel_order" for call in backend.calls)


async def test_the_change_forms_ask_an_anonymous_user_to_bind_first(
    anonymous: Turn, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = ["order_id", "new_address", "confirmed"]
    form = ValidateAddressForm()
    assert await form.required_slots(slots, dispatcher, anonymous(), DOMAIN) == [
        "bind_phone",
        "bind_code",
        *slots,
    ]
    assert await form.required_slots(slots, dispatcher, zhang(), DOMAIN) == slots


async def test_the_address_is_changed_and_shown_masked(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    address = "杭州市西湖区文三路398号东信大厦5楼"
    tracker = zhang(order_id="HP20240003", new_address=address, confirmed=True)
    await ActionChangeAddress().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_address_changed"
    assert address not in message["masked_address"] and "*" in message["masked_address"]
    order = await backend.get_order("HP20240003")
    assert order is not None and order.shipping_address == address


async def test_an_incomplete_address_is_asked_again(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateAddressForm().validate_new_address("北京", dispatcher, zhang(), DOMAIN)
    assert result["new_address"] is None
    assert responses(dispatcher) == ["utter_invalid_new_address"]


async def test_a_refund_is_opened_and_its_progress_told(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang(order_id="HP20240002", refund_reason="商品质量问题", confirmed=True)
    await ActionRequestRefund().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_refund_requested"
    assert message["refund_id"].startswith("RF") and message["amount"].count(".") == 1

    await ActionRefundStatus().run(dispatcher, zhang(order_id="HP20240002"), DOMAIN)
    status = dispatcher.messages[-1]
    assert status["response"] == "utter_refund_status"
    assert status["refund_id"] == message["refund_id"]


async def test_an_out_of_policy_refund_opens_a_ticket_remembered_in_the_chat(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await backend.cancel_order("HP20240003", "C001")
    tracker = zhang(order_id="HP20240003", refund_reason="七天无理由退货", confirmed=True)
    events = await ActionRequestRefund().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_refund_refused", "utter_ticket_opened"]
    ticket_id = dispatcher.messages[-1]["ticket_id"]
    assert proved_tickets(tracker, events) == [ticket_id]
    ticket = await backend.get_ticket(ticket_id)
    assert ticket is not None and ticket.customer_id == "C001" and ticket.category == "refund"


async def test_a_complaint_is_a_refund_reason_not_an_interruption(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateRefundForm()
    tracker = zhang("质量太差了", "complain", requested_slot="refund_reason")
    assert await form.extract_refund_reason(dispatcher, tracker, DOMAIN) == {
        "refund_reason": "质量太差了"
    }
    faq = zhang("退款多久到账", "faq", requested_slot="refund_reason")
    assert await form.extract_refund_reason(dispatcher, faq, DOMAIN) == {}


@pytest.mark.parametrize("typed", ["七天无理由退货", "不想要了（七天无理由）", " 七天无理由退货 "])
async def test_a_typed_reason_option_is_the_option_whatever_the_nlu_thought(
    zhang: Turn, dispatcher: CollectingDispatcher, typed: str, real_domain: dict
) -> None:
    tracker = zhang(typed, "faq", requested_slot="refund_reason")
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, real_domain)
    assert extracted == {"refund_reason": "七天无理由退货"}


async def test_a_button_payload_is_never_taken_as_a_typed_reason(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict
) -> None:
    form = ValidateRefundForm()
    for payload, intent in (("/affirm", "affirm"), ('/inform{"order_id": "HP20240003"}', "inform")):
        tracker = zhang(payload, intent, requested_slot="refund_reason")
        assert await form.extract_refund_reason(dispatcher, tracker, real_domain) == {}


async def test_a_backend_failure_during_a_change_is_ticketed(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = zhang(order_id="HP20240003", confirmed=True)
    backend.unavailable = True
    await ActionCancelOrder().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_backend_unavailable"]  # no ticket: all is down


@pytest.mark.parametrize(
    ("form", "order_id", "said"),
    [
        (ValidateCancelOrderForm, "HP20240001", "utter_order_not_cancellable"),  # shipped
        (ValidateCancelOrderForm, "HP20240002", "utter_order_not_cancellable"),  # delivered
        (ValidateAddressForm, "HP20240001", "utter_address_not_changeable"),
    ],
)
async def test_a_change_the_order_no_longer_allows_is_explained_before_any_question(
    zhang: Turn, dispatcher: CollectingDispatcher, form: type, order_id: str, said: str
) -> None:
    result = await form().validate_order_id(order_id, dispatcher, zhang(), DOMAIN)
    assert responses(dispatcher) == [said]
    assert dispatcher.messages[0]["status_label"] in ("已发货，正在运输中", "已签收")
    assert result["form_gave_up"] is True  # no confirmation, no new address asked


async def test_an_order_that_allows_the_change_goes_on_and_another_customers_is_re_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    ok = await ValidateCancelOrderForm().validate_order_id(
        "HP20240003", dispatcher, zhang(), DOMAIN
    )
    assert ok == {"order_id": "HP20240003", "focus_order": "HP20240003"}
    theirs = await ValidateCancelOrderForm().validate_order_id(
        "HP20240005", dispatcher, zhang(), DOMAIN
    )
    assert theirs["order_id"] is None and responses(dispatcher) == ["utter_order_not_found"]
