"""A detail changed in a word at the confirmation, and "周末" for a delivery day.

"质量问题" to 「确认为订单 … 申请退款吗？退款原因：七天无理由退货。」 changes the reason and
asks again; "不行 改到后天晚上" to a delivery window changes the window, not a no. "周末" to
the day question asks which of its two days, with no failed answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import delivery, delivery_questions
from actions.delivery import ValidateDeliveryTimeForm, ValidateInterceptForm, ValidatePickupForm
from actions.delivery_questions import ActionAskDeliveryDay, ActionAskPickupDay
from actions.refunds import ValidateRefundForm
from actions.visit_changes import ValidateVisitCancelForm

from .conftest import Turn

DOMAIN: dict = {}
TUESDAY = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WINDOW = {"order_id": "HP20241204", "window_date": "2026-12-12", "window_slot": "pm"}


@pytest.fixture(autouse=True)
def on_a_tuesday(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (delivery, delivery_questions):
        monkeypatch.setattr(module, "china_now", lambda: TUESDAY)


def opened(tracker: Tracker, form: str, *said: str) -> Tracker:
    """``tracker`` with ``form`` opened by ``said[0]``, then ``said[1:]`` said."""
    opening, *rest = said
    events: list[dict[str, Any]] = [
        {"event": "user", "text": opening},
        {"event": "active_loop", "name": form},
    ]
    for text in rest:
        events += [{"event": "bot", "text": "…"}, {"event": "user", "text": text}]
    tracker.events[-1:-1] = events
    tracker.active_loop = {"name": form}
    return tracker


@pytest.mark.parametrize(
    ("said", "intent", "reason", "expected"),
    [
        ("质量问题", "complain", "七天无理由退货", {"refund_reason": "质量问题"}),
        ("不是买错 是尺码偏小", "deny", "买错了", {"refund_reason": "尺码偏小"}),
        ("原因改成发错货了", "inform", "买错了", {"refund_reason": "发错货了"}),
        ("不对 其实是质量问题", "deny", "不想要了", {"refund_reason": "质量问题"}),
        ("算了不要了", "deny", "买错了", {"confirmed": False}),  # calling it off, as before
        ("好的", "affirm", "买错了", {"confirmed": True}),
        ("不退了", "deny", "质量问题", {"confirmed": False}),
    ],
)
async def test_another_reason_said_to_the_refund_confirmation_changes_it(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    said: str,
    intent: str,
    reason: str,
    expected: dict[str, Any],
) -> None:
    slots = {"order_id": "HP20240002", "refund_reason": reason}
    tracker = zhang(said, intent, requested_slot="confirmed", **slots)
    assert await ValidateRefundForm().extract_confirmed(dispatcher, tracker, DOMAIN) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("还是上午吧", {"window_slot": "am"}),
        ("不行 改到后天晚上", {"window_date": "2026-12-10", "window_slot": "evening"}),
        ("改到周五吧", {"window_date": "2026-12-11"}),
        ("周末吧", {"window_date": "周末吧"}),  # which of its two days is asked next
        ("确认预约", {"confirmed": True}),
        ("不用了", {"confirmed": False}),
    ],
)
async def test_another_day_or_slot_said_to_the_delivery_confirmation_changes_it(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str, expected: dict[str, Any]
) -> None:
    tracker = zhang(said, "inform", requested_slot="confirmed", **WINDOW)
    form = ValidateDeliveryTimeForm()
    assert await form.extract_confirmed(dispatcher, tracker, DOMAIN) == expected


async def test_a_question_about_the_parcel_changes_no_window(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("明天能到吗", "query_logistics", requested_slot="confirmed", **WINDOW)
    form = ValidateDeliveryTimeForm()
    assert "window_date" not in await form.extract_confirmed(dispatcher, tracker, DOMAIN)


async def test_a_weekend_asks_which_of_its_days_with_no_failed_answer(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidateDeliveryTimeForm()
    asked = {"order_id": "HP20241204", "requested_slot": "window_date"}
    tracker = opened(zhang("周末吧", **asked), "delivery_time_form", "这单能改个时间送吗")
    extracted = await form.extract_window_date(dispatcher, tracker, real_domain)
    assert await form.validate_window_date(
        extracted["window_date"], dispatcher, tracker, real_domain
    ) == {"window_date": None}
    assert dispatcher.messages == []  # no 「没能看懂」, no failure counted
    await ActionAskDeliveryDay().run(dispatcher, tracker, real_domain)
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_weekend_day"
    titles = [button["title"] for button in question["buttons"]]
    assert titles == ["周六（12月12日）", "周日（12月13日）"]


async def test_a_weekend_in_the_opening_message_is_asked_about_when_the_day_is(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    opening = zhang("能改到周末送吗", "schedule_delivery")
    form = ValidateDeliveryTimeForm()
    assert await form.extract_window_date(dispatcher, opening, real_domain) == {}
    tracker = opened(
        zhang("HP20241204", requested_slot="order_id"), "pickup_form", "上门取件能改到周末吗"
    )
    await ActionAskPickupDay().run(dispatcher, tracker, real_domain)
    assert dispatcher.messages[-1]["response"] == "utter_ask_weekend_day"
    later = opened(zhang("周六吧", requested_slot="window_date"), "pickup_form", "周末", "周六吧")
    dispatcher.messages.clear()
    await ActionAskPickupDay().run(dispatcher, later, real_domain)
    assert dispatcher.messages[-1]["response"] == "utter_ask_pickup_form_window_date"


async def test_a_typed_weekday_picks_its_button(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    buttons = [delivery_questions.day_button(date(2026, 12, d)) for d in (12, 13)]
    tracker = zhang("周日", requested_slot="window_date", order_id="HP20241204")
    tracker.events[-1:-1] = [
        {"event": "action", "name": "pickup_form"},
        {"event": "bot", "text": "…", "data": {"buttons": buttons}},
        {"event": "action", "name": "action_listen"},
    ]
    picked = await ValidatePickupForm().extract_window_date(dispatcher, tracker, real_domain)
    day = date.fromisoformat(
        (
            await ValidatePickupForm().validate_window_date(
                picked["window_date"], dispatcher, tracker, real_domain
            )
        )["window_date"]
    )
    assert day == TUESDAY.date() + timedelta(days=5)


@pytest.mark.parametrize(
    ("said", "intent", "ranking", "expected"),
    [
        # remarks: asked again (they got 「没能理解…转接人工客服吗？」)
        ("降了200", "request_refund", [], {"confirmed": "remarked"}),
        ("我刚看了一下", "nlu_fallback", ["out_of_scope", "chitchat"], {"confirmed": "remarked"}),
        ("嗯嗯嗯那个", "out_of_scope", [], {"confirmed": "remarked"}),
        # a question, another request, or one the NLU leaned to: given up to be answered
        ("钱多久能到", "nlu_fallback", ["out_of_scope"], {}),
        ("顺便开个发票", "nlu_fallback", ["request_invoice", "out_of_scope"], {}),
        ("帮我查下物流", "nlu_fallback", ["out_of_scope"], {}),
        ("HP20240002的物流", "query_logistics", [], {}),
    ],
)
async def test_a_remark_to_the_confirmation_asks_it_again(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    said: str,
    intent: str,
    ranking: list[str],
    expected: dict[str, Any],
) -> None:
    slots = {"order_id": "HP20240002", "refund_reason": "质量问题"}
    tracker = opened(
        zhang(said, intent, requested_slot="confirmed", **slots), "refund_form", "我要退款"
    )
    tracker.latest_message["intent"]["confidence"] = 0.3
    tracker.latest_message["intent_ranking"] = [
        {"name": name, "confidence": 0.3} for name in ["nlu_fallback", *ranking]
    ]
    form = ValidateRefundForm()
    assert await form.extract_confirmed(dispatcher, tracker, DOMAIN) == expected
    if expected:
        again = await form.validate_confirmed("remarked", dispatcher, tracker, DOMAIN)
        assert again == {"confirmed": None}
        assert dispatcher.messages[-1]["response"] == "utter_confirm_unclear"


async def test_a_yes_right_after_the_fallbacks_question_confirms_nothing(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """「确认为订单 HP20241201 申请拦截包裹吗？」, "那先拦207吧" (not understood: 「您是想咨询…」),
    then "确定": that confirmed HP20241201's interception, of the other parcel."""
    tracker = zhang("确定", "affirm", requested_slot="confirmed", order_id="HP20241201")
    unclear = {"utter_action": "utter_ask_affirmation_intro"}
    tracker.events[-1:-1] = [
        {"event": "user", "text": "那先拦207吧"},
        {"event": "bot", "text": "不好意思，我不太确定您的意思…", "metadata": unclear},
    ]
    form = ValidateInterceptForm()
    assert await form.extract_confirmed(dispatcher, tracker, DOMAIN) == {"confirmed": "remarked"}
    await form.validate_confirmed("remarked", dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_confirm_unclear"  # asked again
    plain = zhang("确定", "affirm", requested_slot="confirmed", order_id="HP20241201")
    assert await form.extract_confirmed(dispatcher, plain, DOMAIN) == {"confirmed": True}


@pytest.mark.parametrize(
    ("form", "said", "expected"),
    [
        (ValidateVisitCancelForm(), "算了 还是你们装吧 保修要紧", {"confirmed": False}),
        (ValidateRefundForm(), "算了还是留着吧", {"confirmed": False}),
        (ValidateInterceptForm(), "那还是让它送过来吧", {"confirmed": False}),
        (ValidateVisitCancelForm(), "想了想 还是让师傅来装吧", {"confirmed": False}),
        (ValidateVisitCancelForm(), "算了 还是取消吧", None),  # still undoing: no "no"
    ],
)
async def test_keeping_it_at_the_confirmation_of_an_undoing_is_a_no(
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    form: Any,
    said: str,
    expected: dict[str, Any] | None,
) -> None:
    """「确认取消预约单 SV20240003…吗？」, "算了 还是你们装吧": was the fallback, and the
    following "行 谢了" cancelled the visit the customer had just decided to keep."""
    tracker = zhang(said, "nlu_fallback", requested_slot="confirmed", order_id="HP20241406")
    read = await form.extract_confirmed(dispatcher, tracker, DOMAIN)
    assert read == expected if expected else read.get("confirmed") is not False


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("行吧 取消 买重了", True),  # yes, and why
        ("好的 确认取消，买错颜色了", True),
        ("好 确认取消，不想要了", None),  # yes, then words of a no: asked again
        ("好的 不过先等一下", None),  # a wait: decides nothing
        ("好的 你们到底多久退款啊", None),  # a question
    ],
)
async def test_a_yes_said_first_then_why_is_a_yes(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str, expected: bool | None
) -> None:
    """「确认要取消订单 HP20240003 吗？」, "行吧 取消 买重了": the confirmation was asked again."""
    from actions.order_changes import ValidateCancelOrderForm

    tracker = zhang(said, "cancel_order", requested_slot="confirmed", order_id="HP20240003")
    read = await ValidateCancelOrderForm().extract_confirmed(dispatcher, tracker, DOMAIN)
    assert read.get("confirmed") is expected if expected else read.get("confirmed") in (None,)
