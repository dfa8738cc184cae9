"""价保 and contact actions over the in-process backend (demo orders HP20241001–HP20241005)."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import (
    ActionCourierContact,
    ActionMerchantContact,
    ValidateCourierContactForm,
    courier_text,
)
from actions.price_protection import (
    ActionApplyPriceProtection,
    ActionPriceProtectionStatus,
    ValidatePriceProtectionForm,
)
from actions.refunds import ActionRefundStatus
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.price_protection import CourierContact

from .conftest import Turn

DOMAIN: dict = {}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def validate(
    form: ValidatePriceProtectionForm, turn: Turn, order_id: str, d: CollectingDispatcher
) -> dict:
    tracker = turn(order_id, "request_price_protection", requested_slot="order_id")
    return await form.validate_order_id(order_id, d, tracker, DOMAIN)


async def test_an_eligible_order_shows_each_item_then_asks(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await validate(ValidatePriceProtectionForm(), zhang, "HP20241001", dispatcher)
    assert result["order_id"] == "HP20241001" and not result.get("form_gave_up")
    [message] = dispatcher.messages
    assert message["response"] == "utter_price_protection_check"
    assert "✅ vivo X100" in message["lines"] and "可退差价 ¥300.00" in message["lines"]
    assert "❌ vivo X100 手机壳" in message["lines"] and "优品配件店" in message["lines"]


async def test_refusals_end_the_form_with_the_backends_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidatePriceProtectionForm()
    result = await validate(form, zhang, "HP20241002", dispatcher)
    assert result["form_gave_up"] is True
    assert "超过 7 天价保期（下单 12 天）" in dispatcher.messages[-1]["lines"]
    await validate(form, zhang, "HP20241003", dispatcher)
    assert "秒杀" in dispatcher.messages[-1]["lines"]
    await validate(form, zhang, "HP20241004", dispatcher)
    assert "暂不需要价保" in dispatcher.messages[-1]["lines"]
    assert set(responses(dispatcher)) == {"utter_price_protection_not_eligible"}


async def test_another_customers_order_is_not_found(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await validate(ValidatePriceProtectionForm(), zhang, "HP20240005", dispatcher)
    assert result["order_id"] is None
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_applying_refunds_and_the_progress_shows_it(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionApplyPriceProtection().run(
        dispatcher, zhang(order_id="HP20241001", confirmed=False), DOMAIN
    )
    assert responses(dispatcher) == ["utter_price_protection_not_applied"]
    events = await ActionApplyPriceProtection().run(
        dispatcher, zhang(order_id="HP20241001", confirmed=True), DOMAIN
    )
    applied = dispatcher.messages[-1]
    assert applied["response"] == "utter_price_protection_applied"
    assert applied["amount"] == "300.00" and applied["refund_id"].startswith("RF")
    assert SlotSet("order_id", None) in events

    await ActionPriceProtectionStatus().run(dispatcher, zhang("价保进度怎么样了"), DOMAIN)
    status = dispatcher.messages[-1]
    assert status["response"] == "utter_price_protection_status"
    assert "HP20241001" in status["lines"] and "退款处理中" in status["lines"]

    await ActionRefundStatus().run(dispatcher, zhang(order_id="HP20241001"), DOMAIN)
    refund = dispatcher.messages[-1]
    assert refund["response"] == "utter_refund_status" and refund["amount"] == "300.00"

    await ActionApplyPriceProtection().run(
        dispatcher, zhang(order_id="HP20241001", confirmed=True), DOMAIN
    )
    assert dispatcher.messages[-1]["response"] == "utter_price_protection_refused"
    assert "已申请过价保" in dispatcher.messages[-1]["reason"]


async def test_no_protections_and_anonymous_progress(
    zhang: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionPriceProtectionStatus().run(dispatcher, zhang("HP20241002价保进度"), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_no_price_protection"
    assert dispatcher.messages[-1]["scope"] == "订单 HP20241002 "
    dispatcher.messages.clear()
    events = await ActionPriceProtectionStatus().run(dispatcher, anonymous("价保进度"), DOMAIN)
    assert [(e["event"], e.get("name")) for e in events] == [
        ("followup", "account_binding_form")
    ]  # verify first
    assert dispatcher.messages == []


async def test_backend_down_apologises_with_a_ticket(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidatePriceProtectionForm()
    backend.unavailable = True
    assert await form.check_order("HP20241001", dispatcher, zhang()) is None
    events = await ActionApplyPriceProtection().run(
        dispatcher, zhang(order_id="HP20241001", confirmed=True), DOMAIN
    )
    assert responses(dispatcher)[-1].startswith("utter_backend_unavailable")
    assert any(event.get("name") == "action_request_handoff" for event in events)


async def test_other_customers_and_anonymous_get_nothing(
    li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionApplyPriceProtection().run(
        dispatcher, li_app(order_id="HP20241001", confirmed=True), DOMAIN
    )
    await ActionCourierContact().run(dispatcher, li_app(order_id="HP20240001"), DOMAIN)
    await ActionMerchantContact().run(dispatcher, li_app(order_id="HP20240001"), DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_found"] * 3
    await ActionCourierContact().run(dispatcher, anonymous(order_id="HP20240001"), DOMAIN)
    assert responses(dispatcher)[-1] == "utter_need_customer"
    assert not (await backend.list_price_protections("C001"))  # nothing was applied
    form = ValidateCourierContactForm()
    assert (await form.required_slots(["order_id"], dispatcher, anonymous(), DOMAIN))[0] == (
        "bind_phone"
    )


async def test_courier_contact_is_masked_and_only_on_the_way(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    events = await ActionCourierContact().run(dispatcher, zhang(order_id="HP20240001"), DOMAIN)
    message = dispatcher.messages[-1]
    assert message["response"] == "utter_courier_contact"
    assert "王师傅" in message["courier"] and "138****5678" in message["courier"]
    assert "13812345678" not in message["courier"] and "转 4321" in message["courier"]
    assert SlotSet("order_id", None) in events
    await ActionCourierContact().run(dispatcher, zhang(order_id="HP20240002"), DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_courier_contact_unavailable"
    assert "签收" in dispatcher.messages[-1]["reason"]
    await ActionCourierContact().run(dispatcher, zhang(order_id="HP20240003"), DOMAIN)
    assert "还没有发货" in dispatcher.messages[-1]["reason"]


async def test_a_courier_who_does_not_answer_gets_a_way_on(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    unreachable = zhang("他一直不接电话怎么办", "query_courier_contact", order_id="HP20240001")
    await ActionCourierContact().run(dispatcher, unreachable, DOMAIN)
    assert responses(dispatcher) == ["utter_courier_contact", "utter_courier_unreachable"]
    asked = zhang("快递员电话多少", "query_courier_contact", order_id="HP20240001")
    await ActionCourierContact().run(dispatcher, asked, DOMAIN)
    assert responses(dispatcher)[2:] == ["utter_courier_contact"]


def test_courier_text_without_a_virtual_number() -> None:
    contact = CourierContact(
        "HP1", True, "available", "", name="刘师傅", phone_masked="136****5432"
    )
    assert courier_text(contact) == "快递员刘师傅，电话 136****5432"


async def test_merchant_contacts(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    await ActionMerchantContact().run(dispatcher, zhang(order_id="HP20240001"), DOMAIN)
    lines = dispatcher.messages[-1]["lines"]
    assert "京选自营商品，直接在这里咨询京选客服" in lines
    assert "闪魔数码专营店" in lines and "400-820-1234" in lines
