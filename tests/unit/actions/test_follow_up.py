"""action_keep_topic: a doubted follow-up is said again with the request it continues."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_up import ActionKeepTopic, kept_message

LATEST = {
    "text": "那iphone15能贴吗",
    "message_id": "m-42",
    "metadata": {"app_token": "signed"},
    "intent": {"name": "nlu_fallback", "confidence": 0.94},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.94},
        {"name": "ask_product", "confidence": 0.94},
        {"name": "faq", "confidence": 0.01},
    ],
    "entities": [],
    "second_opinion": {"name": "faq", "confidence": 0.4, "overruled": "ask_product"},
}


PRODUCT = {"intent": {"name": "ask_product", "confidence": 0.97}, "text": "钢化膜适合note13pro吗"}


def tracker(
    latest: dict, before: dict = PRODUCT, answered: str = "action_answer_product"
) -> Tracker:
    """``latest`` right after ``before`` was answered by ``answered``."""
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": before["text"], "parse_data": before},
        {"event": "action", "name": answered},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest, "input_channel": "rest"},
    ]
    return Tracker("c1", {}, latest, events, False, None, {}, "action_listen")


async def test_the_message_comes_back_with_the_overruled_request_and_its_identity() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionKeepTopic().run(dispatcher, tracker(LATEST), {})

    assert dispatcher.messages == []
    revert, listen, user = events
    assert revert == UserUtteranceReverted()
    assert listen == ActionExecuted("action_listen")
    assert user["event"] == "user" and user["text"] == "那iphone15能贴吗"
    assert user["parse_data"]["intent"] == {"name": "ask_product", "confidence": 0.94}
    # who sent it (the app's signed identity) and which message it was are kept
    assert user["metadata"] == {"app_token": "signed"} and user["message_id"] == "m-42"
    assert user["input_channel"] == "rest"
    assert LATEST["intent"]["name"] == "nlu_fallback"  # the tracker's message is not changed


async def test_a_message_nothing_overruled_is_left_as_it_is() -> None:
    plain = {**LATEST, "second_opinion": {"name": "faq", "confidence": 0.4}}
    assert kept_message(plain) is None
    assert await ActionKeepTopic().run(CollectingDispatcher(), tracker(plain), {}) == []


async def test_a_detail_of_the_lessons_just_listed_comes_back_as_a_lesson_question() -> None:
    latest = {
        **LATEST,
        "text": "老师是谁啊",
        "second_opinion": {"name": "faq", "confidence": 0.9},
    }
    asked = {"intent": {"name": "query_course", "confidence": 0.98}, "text": "我最近有什么课"}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "我最近有什么课", "parse_data": asked},
        {"event": "action", "name": "action_query_course"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "老师是谁啊", "parse_data": latest, "input_channel": "app"},
    ]
    story = Tracker("c1", {}, latest, events, False, None, {}, "action_listen")
    _, _, user = await ActionKeepTopic().run(CollectingDispatcher(), story, {})
    assert user["parse_data"]["intent"]["name"] == "query_course"
    # without the lessons just before (a product question), nothing is continued
    assert await ActionKeepTopic().run(CollectingDispatcher(), tracker(latest), {}) == []


async def test_a_message_put_back_is_never_put_back_again() -> None:
    """ "能不能早点来" after the visits: a change of visit once, not a loop of put-backs."""
    urge = {**LATEST, "text": "能不能早点来 我着急用", "second_opinion": None}
    urge["intent"] = {"name": "query_logistics", "confidence": 0.97}
    visits = {"intent": {"name": "query_visit", "confidence": 0.99}, "text": "师傅什么时候来"}
    story = tracker(urge, visits, "action_query_visits")
    _, _, user = await ActionKeepTopic().run(CollectingDispatcher(), story, {})
    assert user["parse_data"]["intent"]["name"] == "change_visit"
    assert user["parse_data"]["kept_from"] == "query_logistics"
    again = tracker(user["parse_data"], visits, "action_query_visits")
    assert await ActionKeepTopic().run(CollectingDispatcher(), again, {}) == []
