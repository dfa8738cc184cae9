"""Forms take typed answers as clicks: yes/no, "2" for the second button, pasted order cards.

Each tracker is one customer turn after the form's question, with the bot's message (and
its buttons, from the real domain or the real ask action) in the events, and an intent the
NLU could plausibly have predicted for the words: the typed answer must win over it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.course_changes import ValidateLessonChangeForm
from actions.enrollments import ActionAskCourseId, ValidateCourseCancelForm
from actions.invoices import ValidateInvoiceForm
from actions.order_changes import ActionCancelOrder, ValidateCancelOrderForm
from actions.orders import ActionAskOrderId, ValidateOrderIdForm
from actions.refunds import ValidateRefundForm
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

CARD = "订单编号：HP20240003\n订单金额：¥299.00\n下单时间：2024-11-20 10:31:05\n商品：智能音箱 x1"


def asked(
    turn: Turn,
    form: str,
    messages: list[dict[str, Any]],
    text: str,
    intent: str = "inform",
    **slots: Any,
) -> Tracker:
    """The customer's turn right after ``form`` sent ``messages`` (with their buttons)."""
    tracker = turn(text, intent, **slots)
    current = tracker.events[-1]
    bot = [
        {
            "event": "bot",
            "text": message.get("text"),
            "data": {"buttons": message.get("buttons")},
            "metadata": {"utter_action": message.get("response")},
        }
        for message in messages
    ]
    tracker.events[:] = [
        *tracker.events[:3],
        {"event": "user", "text": "前面说的话", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "action", "name": form},
        *bot,
        {"event": "action", "name": "action_listen"},
        current,
    ]
    return tracker


def question(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    return [{**domain["responses"][response][0], "response": response}]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


# --- typed confirmations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "intent", "confirmed"),
    [
        ("确定取消", "cancel_order", True),
        ("确认", "query_order", True),
        ("好的", "greet", True),
        ("嗯嗯", "chitchat", True),
        ("可以的～", "faq", True),
        ("ok", "nlu_fallback", True),
        ("取消吧", "cancel_order", True),
        ("不取消了", "cancel_order", False),
        ("我再想想", "faq", False),
        ("算了", "affirm", False),
        ("不确定", "affirm", False),
        ("不用了，谢谢", "thank", False),
    ],
)
async def test_a_typed_yes_or_no_confirms_the_cancellation_whatever_the_intent(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    typed: str,
    intent: str,
    confirmed: bool,
) -> None:
    messages = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    slots = {"order_id": "HP20240003", "requested_slot": "confirmed"}
    tracker = asked(zhang, "cancel_order_form", messages, typed, intent, **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"confirmed": confirmed}


async def test_saying_one_understood_does_not_confirm_a_cancellation(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    messages = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    slots = {"order_id": "HP20240003", "requested_slot": "confirmed"}
    # the NLU reads "好的明白了" as affirm: still no yes to "确认取消吗？"
    tracker = asked(zhang, "cancel_order_form", messages, "好的明白了", "affirm", **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert "confirmed" not in slot_events(events) or slot_events(events)["confirmed"] is None


async def test_repeating_a_detail_of_the_summary_asks_for_the_confirmation_again(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    summary = {"text": "订单 HP20241301：黑色 42 码 换成 黑色 43 码。", "buttons": []}
    messages = [summary, *question(real_domain, "utter_ask_cancel_order_form_confirmed")]
    slots = {"order_id": "HP20241301", "requested_slot": "confirmed"}
    tracker = asked(zhang, "cancel_order_form", messages, "43", "nlu_fallback", **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events).get("confirmed") is None  # no yes, no no: asked again ...
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_again"]  # ... kindly


async def test_thanks_for_an_answer_given_in_between_does_not_confirm_a_cancellation(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # "等等 先别取消 HP20240001到哪了" was answered, then "确认要取消订单 HP20240003 吗？" again
    resumed = [{"response": "utter_form_resume", "text": "我们接着办理刚才的业务"}]
    messages = resumed + question(real_domain, "utter_ask_cancel_order_form_confirmed")
    slots = {"order_id": "HP20240003", "requested_slot": "confirmed"}
    tracker = asked(zhang, "cancel_order_form", messages, "好的 谢谢", "affirm", **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events).get("confirmed") is None  # asked again, nothing cancelled
    # asked without anything in between, the same words are a yes
    plain = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    tracker = asked(zhang, "cancel_order_form", plain, "好的 谢谢", "affirm", **slots)
    events = await ValidateCancelOrderForm().run(CollectingDispatcher(), tracker, real_domain)
    assert slot_events(events)["confirmed"] is True


async def test_typing_the_yes_cancels_the_order_and_typing_no_keeps_it(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    backend: InMemoryBackendClient,
) -> None:
    messages = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    for typed, status in (("不取消了", "paid"), ("确定取消", "cancelled")):
        slots = {"order_id": "HP20240003", "requested_slot": "confirmed"}
        tracker = asked(zhang, "cancel_order_form", messages, typed, "cancel_order", **slots)
        events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
        done = zhang(order_id="HP20240003", **slot_events(events))
        await ActionCancelOrder().run(dispatcher, done, real_domain)
        order = await backend.get_order("HP20240003")
        assert order is not None and order.status == status


@pytest.mark.parametrize(
    ("typed", "intent", "expected"),
    [
        ("取消后多久能退款", "faq", {}),  # a question: answered by the rules, then re-asked
        ("我想改个地址", "modify_address", {}),
        ("确定吗？", "affirm", {"confirmed": True}),  # not typed yes/no: the NLU decides
        ("/affirm", "affirm", {"confirmed": True}),  # a clicked button
        ("/deny", "deny", {"confirmed": False}),
    ],
)
async def test_other_messages_are_left_to_the_nlu(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    typed: str,
    intent: str,
    expected: dict[str, Any],
) -> None:
    messages = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    tracker = asked(zhang, "cancel_order_form", messages, typed, intent, requested_slot="confirmed")
    form = ValidateCancelOrderForm()
    assert await form.extract_confirmed(dispatcher, tracker, real_domain) == expected


@pytest.mark.parametrize(
    ("form", "response", "typed", "confirmed"),
    [
        (ValidateRefundForm(), "utter_ask_refund_form_confirmed", "取消吧", False),
        (ValidateRefundForm(), "utter_ask_refund_form_confirmed", "确定取消", False),
        (ValidateRefundForm(), "utter_ask_refund_form_confirmed", "退吧", True),
        (ValidateRefundForm(), "utter_ask_refund_form_confirmed", "还是不退了吧", False),
        (ValidateCourseCancelForm(), "utter_ask_course_cancel_form_confirmed", "确认退课", True),
        (ValidateCourseCancelForm(), "utter_ask_course_cancel_form_confirmed", "不退了", False),
        (ValidateInvoiceForm(), "utter_ask_invoice_form_confirmed", "开吧", True),
        (ValidateInvoiceForm(), "utter_ask_invoice_form_confirmed", "取消", False),  # its button
    ],
)
async def test_each_form_reads_its_own_words(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    form: Any,
    response: str,
    typed: str,
    confirmed: bool,
) -> None:
    messages = question(real_domain, response)
    tracker = asked(
        zhang, form.form_name(), messages, typed, "cancel_order", requested_slot="confirmed"
    )
    assert await form.extract_confirmed(dispatcher, tracker, real_domain) == {
        "confirmed": confirmed
    }


# --- digits for the buttons the form showed ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1", "商品质量问题"),
        ("２", "发错货或少件"),
        ("第三个", "七天无理由退货"),
        ("④", "物流太慢"),
    ],
)
async def test_a_number_picks_the_refund_reason_button(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    typed: str,
    reason: str,
) -> None:
    messages = question(real_domain, "utter_ask_refund_reason")
    tracker = asked(zhang, "refund_form", messages, typed, "faq", requested_slot="refund_reason")
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, real_domain)
    assert extracted == {"refund_reason": reason}


@pytest.mark.parametrize(("typed", "confirmed"), [("1", True), ("2", False), ("我再想想", False)])
async def test_a_number_or_title_picks_the_confirmation_button(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    typed: str,
    confirmed: bool,
) -> None:
    messages = question(real_domain, "utter_ask_cancel_order_form_confirmed")
    slots = {"order_id": "HP20240003", "requested_slot": "confirmed"}
    tracker = asked(zhang, "cancel_order_form", messages, typed, "nlu_fallback", **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"confirmed": confirmed}


async def test_a_number_picks_one_of_my_orders(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    await ActionAskOrderId().run(dispatcher, zhang(), real_domain)
    [choose] = dispatcher.messages
    second = choose["buttons"][1]["payload"]
    tracker = asked(zhang, "order_id_form", [choose], "第二个", "inform", requested_slot="order_id")
    events = await ValidateOrderIdForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"order_id": second, "focus_order": second}
    assert second.startswith("HP")


async def test_a_number_picks_the_course_to_cancel_and_the_kind_of_change(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    await ActionAskCourseId().run(dispatcher, zhang(), real_domain)
    form = ValidateCourseCancelForm()
    tracker = asked(zhang, form.form_name(), dispatcher.messages, "1", requested_slot="course_id")
    events = await form.run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"course_id": dispatcher.messages[-1]["buttons"][0]["payload"]}
    buttons = dispatcher.messages[-1]["buttons"]
    maths = next(b for b in buttons if "数学" in b["title"])
    tracker = asked(
        zhang,
        form.form_name(),
        dispatcher.messages,
        "数学那个",
        "inform",
        requested_slot="course_id",
    )
    events = await form.run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"course_id": maths["payload"]}  # named by its title's words

    lessons = ValidateLessonChangeForm()
    messages = question(real_domain, "utter_ask_lesson_change_kind")
    slots = {"requested_slot": "lesson_change_kind"}
    tracker = asked(zhang, lessons.form_name(), messages, "第2个", "chitchat", **slots)
    extracted = await lessons.extract_lesson_change_kind(dispatcher, tracker, real_domain)
    assert extracted == {"lesson_change_kind": "调课"}
    assert await lessons.validate_lesson_change_kind("调课", dispatcher, tracker, real_domain) == {
        "lesson_change_kind": "reschedule"
    }


async def test_a_number_picks_nothing_without_the_forms_buttons(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidateRefundForm()
    reasons = question(real_domain, "utter_ask_refund_reason")
    fallback = question(real_domain, "utter_default")  # buttons the form did not send
    cases = [
        asked(zhang, "refund_form", reasons, "5", requested_slot="refund_reason"),  # only 4
        asked(zhang, "refund_form", [], "2", requested_slot="refund_reason"),
        asked(zhang, "other_form", reasons, "2", requested_slot="refund_reason"),
        asked(zhang, "refund_form", fallback, "1", requested_slot="refund_reason"),
        asked(zhang, "refund_form", reasons, "2", requested_slot="order_id"),
    ]
    for tracker in cases:
        assert form.offered_option("refund_reason", tracker, real_domain) == {}


async def test_digits_still_answer_questions_without_buttons(
    anonymous: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    messages = question(real_domain, "utter_ask_phone_last4")
    slots = {"order_id": "HP20240001", "requested_slot": "phone_last4"}
    tracker = asked(anonymous, "order_id_form", messages, "8001", **slots)
    form = ValidateOrderIdForm()
    assert await form.extract_phone_last4(dispatcher, tracker, real_domain) == {
        "phone_last4": "8001"
    }


# --- pasted order cards -----------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        CARD,
        "订单编号:HP20240003 订单金额:¥299.00 下单时间:2024-11-20 10:31:05 商品:智能音箱 x1",
        "订单号：ＨＰ２０２４０００３　实付：￥299.00",
    ],
)
@pytest.mark.parametrize("intent", ["query_order", "faq", "rate_service", "complain", "inform"])
async def test_a_pasted_order_card_answers_which_order_whatever_the_intent(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    real_domain: dict[str, Any],
    card: str,
    intent: str,
) -> None:
    messages = question(real_domain, "utter_ask_order_id")
    tracker = asked(zhang, "cancel_order_form", messages, card, intent, requested_slot="order_id")
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events) == {"order_id": "HP20240003", "focus_order": "HP20240003"}


async def test_a_card_with_a_mistyped_number_is_explained_not_skipped(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    card = "订单编号：HP2024003\n订单金额：¥299.00\n下单时间：2024-11-20 10:31:05"
    slots = {"requested_slot": "order_id"}
    tracker = asked(zhang, "cancel_order_form", [], card, "query_order", **slots)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert slot_events(events)["order_id"] is None
    assert [message["response"] for message in dispatcher.messages] == ["utter_invalid_order_id"]


async def test_an_order_card_is_no_answer_to_other_questions(
    anonymous: Turn, zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # The card's date holds "2024": it must not count as a wrong try of the phone digits.
    slots = {"order_id": "HP20240001", "requested_slot": "phone_last4"}
    tracker = asked(anonymous, "order_id_form", [], CARD, **slots)
    assert await ValidateOrderIdForm().extract_phone_last4(dispatcher, tracker, real_domain) == {}

    tracker = asked(zhang, "refund_form", [], CARD, requested_slot="refund_reason")
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, real_domain)
    assert extracted == {}
    tracker = asked(zhang, "cancel_order_form", [], CARD, "affirm", requested_slot="confirmed")
    assert await ValidateCancelOrderForm().extract_confirmed(dispatcher, tracker, real_domain) == {
        "confirmed": True  # the NLU's affirm, as before: the card itself says nothing
    }
    assert dispatcher.messages == []


async def test_an_order_lookup_takes_the_number_from_a_pasted_card(
    anonymous: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = asked(anonymous, "order_id_form", [], CARD, "query_order", requested_slot="order_id")
    events = await ValidateOrderIdForm().run(dispatcher, tracker, real_domain)
    assert SlotSet("order_id", "HP20240003") in events
