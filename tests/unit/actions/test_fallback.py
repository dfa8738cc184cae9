"""The two-stage fallback: likely topics and knowledge-base questions, then 转人工."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskAffirmation, ActionDefaultFallback
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import UnansweredQueue

DOMAIN: dict = {}
pytestmark = pytest.mark.usefixtures("knowledge")


async def test_affirmation_offers_the_two_most_likely_topics_in_chinese(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["text"] = "可以先试听一节课吗"
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation_intro"
    titles = [b["title"] for b in message["buttons"]]
    payloads = [b["payload"] for b in message["buttons"]]
    # nlu_fallback and inform are skipped; faq is shown as the knowledge base's closest
    # standard question, which the button asks by its id
    assert titles == ["查询物流进度", "可以免费试听吗？", "都不是"]
    assert payloads[0] == "/query_logistics"
    assert payloads[1].startswith('/faq{"kb_entry": "')
    assert payloads[2] == "/out_of_scope"


async def test_a_topic_the_robot_does_not_serve_is_owned_up_to_with_a_person_offered(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["text"] = "我想问下怎么用你们京东发快递"
    tracker.latest_message["beyond"] = {"topic": "send_parcel", "name": "寄快递（寄件）服务"}
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    # not "您是想咨询：查询物流进度": the robot says it cannot, and offers a person
    assert message["response"] == "utter_beyond_scope"
    assert message["topic"] == "寄快递（寄件）服务"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        ("转人工客服", "/human_handoff"),
        ("不是这个问题", "/out_of_scope"),
    ]


@pytest.mark.parametrize("text", ["？", "。。。", "??", "~~~"])
async def test_a_message_of_punctuation_only_is_asked_what_the_customer_needs(
    text: str, load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    """「？」 was offered 绑定账户 and 申请退款: topics guessed from no words at all."""
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["text"] = text
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_what_you_need"
    assert not message["buttons"]


async def test_no_question_is_offered_that_the_knowledge_base_does_not_come_close_to(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    await ActionAskAffirmation().run(dispatcher, load_tracker("unsure_parse"), DOMAIN)

    [message] = dispatcher.messages
    # "那个东西什么时候能到啊" is about a parcel, not a policy: the next likely request
    assert [b["title"] for b in message["buttons"]] == ["查询物流进度", "查询订单状态", "都不是"]


async def test_affirmation_without_candidates_asks_to_rephrase(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.9}]
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_final_fallback_offers_a_human_reverts_the_message_and_queues_it(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher, knowledge_env: Path
) -> None:
    events = await ActionDefaultFallback().run(dispatcher, load_tracker("unsure_parse"), DOMAIN)

    assert dispatcher.messages[0]["response"] == "utter_default"
    assert events == [UserUtteranceReverted()]
    db = KbDatabase(f"sqlite+aiosqlite:///{knowledge_env}")
    try:
        [group] = await UnansweredQueue(KnowledgeBase(db)).groups()
    finally:
        await db.dispose()
    assert group.examples == ("那个东西什么时候能到啊",)


async def test_a_greeting_or_a_thanks_is_never_offered(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["text"] = "这都什么情况"
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "greet", "confidence": 0.37},
        {"name": "thank", "confidence": 0.2},
        {"name": "query_refund", "confidence": 0.1},
    ]
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]][0] == "查询退款进度"
    assert all(b["payload"] not in ("/greet", "/thank") for b in message["buttons"])


async def test_a_bare_urge_with_nothing_to_chase_is_asked_what_it_chases(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["text"] = "怎么这么慢"
    tracker.latest_message["intent_ranking"] = [  # 「确认是不是机器人 / 结束咨询」 before
        {"name": "nlu_fallback", "confidence": 0.74},
        {"name": "bot_challenge", "confidence": 0.1},
        {"name": "goodbye", "confidence": 0.05},
    ]
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_urge_unclear"
    assert [b["payload"] for b in message["buttons"]] == ["/list_orders", "/human_handoff"]
