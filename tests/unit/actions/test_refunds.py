"""The refund form: a reason said before it was asked is kept; a refund already open is told."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.refunds import ValidateRefundForm

from .conftest import Turn

DOMAIN: dict = {}
FORM = "refund_form"


def in_form(tracker: Tracker, *earlier: str) -> Tracker:
    """``tracker`` with the refund form opened by ``earlier[0]``, then ``earlier[1:]`` said."""
    opening, *rest = earlier
    events: list[dict] = [
        {"event": "user", "text": opening},
        {"event": "active_loop", "name": FORM},
    ]
    for text in rest:
        events += [{"event": "bot", "text": "…"}, {"event": "user", "text": text}]
    tracker.events[-1:-1] = events
    return tracker


def ranked(tracker: Tracker, *ranking: tuple[str, float]) -> Tracker:
    """``tracker`` with the latest message's intent ranking as given (name, confidence)."""
    tracker.latest_message["intent_ranking"] = [
        {"name": name, "confidence": confidence} for name, confidence in ranking
    ]
    return tracker


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_a_reason_in_the_opening_message_is_not_asked_again(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = in_form(anonymous("13800138001", requested_slot="bind_phone"), "买错了，要退款")
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, DOMAIN)
    assert extracted == {"refund_reason": "买错了"}


async def test_what_the_opening_message_says_of_the_fault_stays_with_the_reason(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "质量问题 屏幕有划痕" kept only "质量问题": the shop never saw the scratch."""
    opening = "我要退款 HP20240002 质量问题 屏幕有划痕"
    tracker = in_form(anonymous("13800138001", requested_slot="bind_phone"), opening)
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, DOMAIN)
    assert extracted == {"refund_reason": "质量问题，屏幕有划痕"}


async def test_a_reason_said_while_the_phone_is_asked_is_noted_not_a_bad_phone(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateRefundForm()
    tracker = in_form(anonymous("买错了", "nlu_fallback", requested_slot="bind_phone"), "我要退款")
    slots = await form.validate_bind_phone("买错了", dispatcher, tracker, DOMAIN)
    assert slots == {"bind_phone": None}  # asked again, no failure counted
    [message] = dispatcher.messages
    assert message["response"] == "utter_binding_noted"
    assert message["detail"] == "退款原因「买错了」"
    extracted = await form.extract_refund_reason(dispatcher, tracker, DOMAIN)
    assert extracted == {"refund_reason": "买错了"}


async def test_a_question_is_no_reason(anonymous: Turn, dispatcher: CollectingDispatcher) -> None:
    tracker = in_form(
        anonymous("质量问题退货运费谁出", "faq", requested_slot="bind_phone"), "我要退款"
    )
    assert await ValidateRefundForm().extract_refund_reason(dispatcher, tracker, DOMAIN) == {}
    assert ValidateRefundForm().noted_detail("质量问题退货运费谁出", tracker) is None


async def test_an_order_with_a_refund_open_is_told_before_the_reason_is_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240004", requested_slot="order_id")
    slots = await ValidateRefundForm().validate_order_id("HP20240004", dispatcher, tracker, DOMAIN)
    assert slots["form_gave_up"] is True
    assert responses(dispatcher) == ["utter_refund_already_open"]
    assert dispatcher.messages[0]["buttons"][0]["payload"].startswith("/query_refund")


async def test_a_refundable_order_goes_on_to_the_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240003", requested_slot="order_id")
    slots = await ValidateRefundForm().validate_order_id("HP20240003", dispatcher, tracker, DOMAIN)
    assert slots == {"order_id": "HP20240003", "focus_order": "HP20240003"}
    assert dispatcher.messages == []


async def test_another_customers_order_is_asked_again_before_any_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240005", requested_slot="order_id")  # 李娜's
    slots = await ValidateRefundForm().validate_order_id("HP20240005", dispatcher, tracker, DOMAIN)
    assert slots["order_id"] is None and "form_gave_up" not in slots
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_letting_the_robot_go_on_after_an_aside_is_no_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "稍等 我先问下 退款会退到哪里" answered in passing, then "哦好的 那继续吧"
    form = ValidateRefundForm()
    for text in ("哦好的 那继续吧", "嗯嗯"):
        tracker = zhang(text, "affirm", requested_slot="refund_reason", order_id="HP20240002")
        slots = await form.validate_refund_reason(text, dispatcher, tracker, {})
        assert slots == {"refund_reason": None}  # asked again; was: the reason, confirmed
    assert dispatcher.messages == []  # no "invalid reason", no failure counted
    tracker = zhang("质量问题", "inform", requested_slot="refund_reason", order_id="HP20240002")
    assert await form.validate_refund_reason("质量问题", dispatcher, tracker, {}) == {
        "refund_reason": "质量问题"
    }


async def test_calling_the_refund_off_then_asking_offers_what_was_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "那算了先不退了 我想问下保价" was taken as the refund's reason."""
    text = "那算了先不退了 我想问下保价"
    tracker = ranked(
        in_form(zhang(text, "nlu_fallback", requested_slot="refund_reason"), "我要退款"),
        ("nlu_fallback", 0.68),
        ("query_price_protection", 0.68),
        ("request_refund", 0.2),
        ("request_price_protection", 0.18),
    )
    events = await ValidateRefundForm().run(dispatcher, tracker, DOMAIN)
    assert {"event": "slot", "name": "form_gave_up", "value": True, "timestamp": None} in events
    [message] = dispatcher.messages
    assert message["response"] == "utter_form_stopped_then_pick"
    # the refund itself is no offer: the customer just called it off
    assert [b["payload"] for b in message["buttons"]] == [
        "/query_price_protection",
        "/request_price_protection",
    ]


async def test_calling_the_refund_off_alone_just_ends_it(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = in_form(zhang("那还是不退了吧", "deny", requested_slot="refund_reason"), "我要退款")
    events = await ValidateRefundForm().run(dispatcher, tracker, DOMAIN)
    assert {"event": "slot", "name": "form_gave_up", "value": True, "timestamp": None} in events
    assert responses(dispatcher) == ["utter_form_stopped"]


async def test_the_order_named_after_calling_the_refund_off_goes_with_the_offer(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    text = "算了不退了 帮我查下HP20240001的物流"
    entities = [{"entity": "order_id", "value": "HP20240001"}]
    said = zhang(text, "nlu_fallback", requested_slot="refund_reason", entities=entities)
    tracker = ranked(in_form(said, "我要退款"), ("nlu_fallback", 0.6), ("query_logistics", 0.6))
    await ValidateRefundForm().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["buttons"][0]["payload"] == '/query_logistics{"order_id": "HP20240001"}'


async def test_holding_the_refund_to_ask_first_gives_the_message_up(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "先别退 帮我看看HP20240003…" while the order was asked became the order to refund."""
    text = "先别退 帮我看看HP20240003什么时候发货"
    entities = [{"entity": "order_id", "value": "HP20240003"}]
    said = zhang(text, "query_logistics", requested_slot="order_id", entities=entities)
    events = await ValidateRefundForm().run(dispatcher, in_form(said, "我要退款"), DOMAIN)
    assert [e["event"] for e in events] == ["action_execution_rejected"]
    assert not dispatcher.messages
