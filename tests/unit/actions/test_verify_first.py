"""A question from an unknown sender: the identity check, then the answer to that question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionBindingDone
from actions.enrollments import ActionCourseNotifications
from actions.price_protection import ActionPriceProtectionStatus
from actions.verify_first import after_binding, request_message, resumed
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict[str, Any] = {}
BINDING = "account_binding_form"


def _checked(tracker: Tracker, asked: str, intent: str, action: str, done: bool) -> Tracker:
    """``tracker`` (its latest message: the one-time code) after ``asked`` started a check.

    ``done``: the check has ended and ``action_binding_done`` ran.
    """
    code = tracker.events.pop()
    tracker.events += [
        {"event": "user", "text": asked, "parse_data": {"intent": {"name": intent}}},
        {"event": "action", "name": action},
        {"event": "followup", "name": BINDING},
        {"event": "action", "name": BINDING},
        {"event": "active_loop", "name": BINDING},
        {"event": "bot", "text": "请告诉我您注册时使用的手机号。"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "13800138001", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "action", "name": BINDING},
        {"event": "active_loop", "name": BINDING},
        {"event": "action", "name": "action_listen"},
        code,
    ]
    if done:
        tracker.events += [
            {"event": "action", "name": BINDING},
            {"event": "active_loop", "name": None},
            {"event": "action", "name": "action_binding_done"},
        ]
    return tracker


def test_the_check_goes_back_to_the_action_that_asked_for_it(anonymous: Turn) -> None:
    tracker = _checked(
        anonymous("123456", bind_code="verified"),
        "价保的结果出来了没",
        "query_price_protection",
        "action_price_protection_status",
        done=False,
    )
    [event] = after_binding(tracker)
    assert (event["event"], event["name"]) == ("followup", "action_price_protection_status")


def test_a_check_the_customer_asked_for_goes_back_to_nothing(anonymous: Turn) -> None:
    tracker = anonymous("123456")
    code = tracker.events.pop()
    tracker.events += [
        {"event": "user", "text": "绑定账户", "parse_data": {"intent": {"name": "bind_account"}}},
        {"event": "action", "name": BINDING},
        {"event": "active_loop", "name": BINDING},
        {"event": "action", "name": "action_listen"},
        code,
    ]
    assert after_binding(tracker) == []
    assert not resumed(tracker)
    assert request_message(tracker)["text"] == "123456"


def test_after_the_check_the_question_asked_before_it_is_answered(anonymous: Turn) -> None:
    tracker = _checked(
        anonymous("123456"), "不要再提醒我上课了", "unsubscribe", "action_x", done=True
    )
    assert resumed(tracker)
    asked = request_message(tracker)
    assert asked["text"] == "不要再提醒我上课了"
    assert asked["intent"]["name"] == "unsubscribe"


async def test_verified_the_customer_gets_the_answer_to_the_first_question(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    done = await ActionBindingDone().run(
        dispatcher,
        _checked(
            zhang("123456", bind_code="verified"),
            "订单HP20241002的价保怎么样了",
            "query_price_protection",
            "action_price_protection_status",
            done=False,
        ),
        DOMAIN,
    )
    assert ("followup", "action_price_protection_status") in [
        (e["event"], e.get("name")) for e in done
    ]
    resumed_turn = _checked(
        zhang("123456"),
        "订单HP20241002的价保怎么样了",
        "query_price_protection",
        "action_price_protection_status",
        done=True,
    )
    await ActionPriceProtectionStatus().run(dispatcher, resumed_turn, DOMAIN)
    # the order named before the check, not the code typed last
    assert dispatcher.messages[-1]["response"] == "utter_no_price_protection"
    assert dispatcher.messages[-1]["scope"] == "订单 HP20241002 "


async def test_the_intent_asked_before_the_check_decides(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = _checked(
        zhang("123456"),
        "以后别给我发上课提醒了",
        "unsubscribe_course_notifications",
        "action_course_notifications",
        done=True,
    )
    await ActionCourseNotifications().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_notifications_off"


async def test_still_unknown_after_a_check_is_told_how_to_verify_not_checked_again(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = _checked(
        anonymous("123456"),
        "价保的结果出来了没",
        "query_price_protection",
        "action_price_protection_status",
        done=True,
    )
    events = await ActionPriceProtectionStatus().run(dispatcher, tracker, DOMAIN)
    assert events == []
    assert dispatcher.messages[-1]["response"] == "utter_need_customer"
