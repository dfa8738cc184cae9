"""Questions answered from the knowledge base: answer, "您是想问", or an honest no-answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskAffirmation
from actions.knowledge import (
    ANSWERED_SLOT,
    LAST_QUESTION_SLOT,
    ActionAnswerKnowledge,
    record_after_answer,
    suggestion_buttons,
)
from tests.unit.actions.conftest import Turn, make_turn
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import PublishedEntry
from zhike.lib.kb.live import KnowledgeHit, shared_knowledge
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import HANDOFF, UnansweredQueue

pytestmark = pytest.mark.usefixtures("knowledge")


@pytest.fixture
def customer() -> Turn:
    return make_turn("web-session-kb", "socketio")


async def _ask(turn: Turn, text: str, **kwargs: Any) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerKnowledge().run(dispatcher, turn(text, "faq", **kwargs), {})
    return dispatcher, events


async def _queued(knowledge_env: Any) -> list[str]:
    db = KbDatabase(f"sqlite+aiosqlite:///{knowledge_env}")
    await db.create_tables()
    try:
        groups = await UnansweredQueue(KnowledgeBase(db)).groups()
        return [example for group in groups for example in group.examples]
    finally:
        await db.dispose()


async def test_a_paraphrase_gets_the_entrys_answer(customer: Turn) -> None:
    dispatcher, events = await _ask(customer, "孩子不太喜欢现在的老师，我想换个老师可以吗")

    [message] = dispatcher.messages
    assert "免费申请更换一次老师" in message["text"]
    assert [(e["name"], e["value"]) for e in events] == [
        (LAST_QUESTION_SLOT, None),
        ("kb_answered", "孩子不太喜欢现在的老师，我想换个老师可以吗"),
    ]


async def test_an_unknown_question_is_owned_up_to_and_queued(
    customer: Turn, knowledge_env: Any
) -> None:
    dispatcher, _ = await _ask(customer, "你们支持用数字人民币付尾款吗")
    [message] = dispatcher.messages
    assert message["response"] == "utter_kb_no_answer"
    assert "/human_handoff" in [b["payload"] for b in message["buttons"]]
    assert await _queued(knowledge_env) == ["你们支持用数字人民币付尾款吗"]


async def test_something_no_entry_is_about_is_not_answered(customer: Turn) -> None:
    dispatcher, _ = await _ask(customer, "明天北京会不会下雨")
    assert dispatcher.messages[0]["response"] == "utter_kb_no_answer"


async def test_a_suggestion_button_answers_that_entry(customer: Turn) -> None:
    lookup = await shared_knowledge().lookup("优惠券怎么用", k=1)
    entry = lookup.hits[0].entry
    [button, _none] = suggestion_buttons([KnowledgeHit(entry, 0.5)])

    dispatcher, _ = await _ask(
        customer, button["payload"], entities=[{"entity": "kb_entry", "value": str(entry.id)}]
    )
    assert dispatcher.messages[0]["text"].startswith(entry.answer)


async def test_none_of_these_queues_the_question_and_offers_a_human(
    customer: Turn, knowledge_env: Any
) -> None:
    dispatcher, events = await _ask(
        customer,
        '/faq{"kb_entry": "none"}',
        entities=[{"entity": "kb_entry", "value": "none"}],
        **{LAST_QUESTION_SLOT: "积分可以换购课程吗"},
    )
    assert dispatcher.messages[0]["response"] == "utter_kb_not_these"
    assert await _queued(knowledge_env) == ["积分可以换购课程吗"]
    assert events[-1]["value"] is None


def test_suggestion_buttons_end_with_none_of_these() -> None:
    entries = [PublishedEntry(i, f"问题{i}", (), "答", "") for i in range(1, 6)]
    buttons = suggestion_buttons([KnowledgeHit(e, 0.4) for e in entries])
    assert [b["title"] for b in buttons] == ["问题1", "问题2", "问题3", "都不是"]
    assert buttons[0]["payload"] == '/faq{"kb_entry": "1"}'


async def test_a_question_it_is_unsure_about_offers_the_closest_questions(customer: Turn) -> None:
    # two entries come close: the refund's arrival and the course refund
    dispatcher, events = await _ask(customer, "退课的钱多久能退回来")
    [message] = dispatcher.messages
    assert message["response"] == "utter_kb_did_you_mean"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[:2] == ["退款多久能到账？", "退课怎么退费？"]
    assert titles[-1] == "都不是"
    assert [(e["name"], e["value"]) for e in events] == [
        (LAST_QUESTION_SLOT, "退课的钱多久能退回来")
    ]


async def test_a_question_close_to_one_entry_only_is_answered(customer: Turn) -> None:
    # below the answer threshold, but no other entry comes near it
    dispatcher, _ = await _ask(customer, "退货的运费怎么算? 到付吗? 还是怎样?")
    [message] = dispatcher.messages
    assert "退货运费" in message["text"]
    assert message.get("response") != "utter_kb_did_you_mean"


async def test_a_question_the_nlu_is_sure_of_is_answered_from_a_clear_best_entry(
    customer: Turn,
) -> None:
    # 0.52 against 怎么开发票？ and far less against the rest: DIET's word decides
    sure, _ = await _ask(customer, "能开专用发票吗")
    assert "发票" in sure.messages[0]["text"]
    unsure = customer("能开专用发票吗", "faq")
    unsure.latest_message["intent"]["confidence"] = 0.6
    asked = CollectingDispatcher()
    await ActionAnswerKnowledge().run(asked, unsure, {})
    assert asked.messages[0]["response"] == "utter_kb_did_you_mean"
    assert asked.messages[0]["buttons"][0]["title"] == "怎么开发票？"


def _after_answer(turn: Turn, text: str, intent: str, users_between: int) -> Any:
    tracker = turn(text, intent, kb_answered="退款几天能到账")
    between = [{"event": "user", "text": "嗯"}] * users_between
    tracker.events[-1:-1] = [{"event": "action", "name": "action_answer_knowledge"}, *between]
    return tracker


async def test_a_handoff_right_after_an_answer_queues_the_question(
    customer: Turn, knowledge_env: Any
) -> None:
    await record_after_answer(_after_answer(customer, "还是转人工吧", "human_handoff", 0), HANDOFF)
    assert await _queued(knowledge_env) == ["退款几天能到账"]


async def test_a_handoff_long_after_the_answer_queues_nothing(
    customer: Turn, knowledge_env: Any
) -> None:
    tracker = _after_answer(customer, "转人工", "human_handoff", 3)
    await record_after_answer(tracker, HANDOFF, within=2)
    assert await _queued(knowledge_env) == []


def _follow_up(turn: Turn, text: str, answered: str) -> Any:
    tracker = turn(text, "faq", kb_answered=answered)
    tracker.events[-1:-1] = [
        {"event": "user", "text": answered},
        {"event": "action", "name": "action_answer_knowledge"},
        {"event": "slot", "name": "kb_answered", "value": answered},
    ]
    return tracker


async def test_a_short_follow_up_on_the_answer_gets_it_again(customer: Turn) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _follow_up(customer, "新疆也是吗", "哪些地区可以配送")
    events = await ActionAnswerKnowledge().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "新疆" in message["text"] and "偏远地区" in message["text"]
    assert (ANSWERED_SLOT, "新疆也是吗") in [(e["name"], e["value"]) for e in events]


async def test_a_short_question_about_something_else_is_not_taken_as_a_follow_up(
    customer: Turn,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _follow_up(customer, "那保修呢", "哪些地区可以配送")
    await ActionAnswerKnowledge().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "配送" not in (message.get("text") or "")
    # alone, without the answer before it, "新疆也是吗" is too vague to answer
    alone = CollectingDispatcher()
    await ActionAnswerKnowledge().run(alone, customer("新疆也是吗", "faq"), {})
    assert alone.messages[0].get("response") in ("utter_kb_no_answer", "utter_kb_did_you_mean")


@pytest.mark.parametrize(
    ("text", "answered", "words"),
    [("质量问题呢", "退货运费谁出啊", "质量问题"), ("怎么预约", "课程可以试听吗", "试听")],
)
async def test_an_unclear_follow_up_on_the_answer_gets_it_again_not_did_you_mean(
    customer: Turn, text: str, answered: str, words: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _follow_up(customer, text, answered)
    tracker.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.5}
    events = await ActionAskAffirmation().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert words in message["text"] and message.get("response") is None
    # a further follow-up is about the same answer
    assert [(e["name"], e["value"]) for e in events] == [(ANSWERED_SLOT, answered)]


async def test_an_unclear_message_about_something_else_still_gets_did_you_mean(
    customer: Turn,
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _follow_up(customer, "啊啊啊", "退货运费谁出啊")
    tracker.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.5}
    await ActionAskAffirmation().run(dispatcher, tracker, {})
    assert all("运费" not in (m.get("text") or "") for m in dispatcher.messages)
