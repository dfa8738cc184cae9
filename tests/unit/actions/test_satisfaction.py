"""CSAT: the rating question, high and low ratings, the comment, against a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.parsing import parse_rating
from actions.satisfaction import ActionAskRating, ActionRecordRating, ActionRecordRatingComment
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.handoff.models import Conversation
from zhike.lib.handoff.runtime import set_handoff_service

Turn = Callable[..., Tracker]


@pytest.fixture
async def store() -> AsyncIterator[HandoffService]:
    db = HandoffDatabase("sqlite+aiosqlite://")
    await db.create_tables()
    service = HandoffService(db)
    set_handoff_service(service)
    yield service
    set_handoff_service(None)
    await db.dispose()


async def _ratings(store: HandoffService) -> list[tuple[int | None, str | None, str | None]]:
    async with store.db.session() as session:
        rows = (await session.execute(select(Conversation))).scalars().all()
        return [(row.rating, row.comment, row.customer_id) for row in rows]


def _responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("打4分", 4),
        ("三颗星", 3),
        ("满分", 5),
        ("非常满意", 5),
        ("一般般吧", 3),
        ("不太满意", 2),
        ("很差", 1),
        ("評分5分", 5),
        ("今天天气不错吗", 4),  # "不错" reads as satisfied: only asked right after the question
        ("12345", None),
        ("", None),
    ],
)
def test_scores_are_read_from_text(text: str, score: int | None) -> None:
    assert parse_rating(text) == score


async def test_the_question_has_five_buttons(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    events = await ActionAskRating().run(dispatcher, zhang("再见", "goodbye"), {})
    assert _responses(dispatcher) == ["utter_ask_rating"]
    assert events[0]["value"] == "asked"


async def test_a_high_rating_is_stored_at_once(
    store: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang('/rate_service{"csat_score": "5"}', "rate_service", csat_score="5")
    events = await ActionRecordRating().run(dispatcher, tracker, {})
    assert _responses(dispatcher) == ["utter_rating_thanks"]
    assert await _ratings(store) == [(5, None, "C001")]
    assert {e["name"]: e["value"] for e in events} == {"csat_state": None, "csat_score": None}


async def test_a_low_rating_waits_for_the_comment_then_stores_both(
    store: HandoffService, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    events = await ActionRecordRating().run(dispatcher, anonymous("打两分", "rate_service"), {})
    assert _responses(dispatcher) == ["utter_rating_ask_comment"]
    assert {e["name"]: e["value"] for e in events} == {
        "csat_state": "awaiting_comment",
        "csat_score": "2",
    }
    assert await _ratings(store) == []

    comment = anonymous("物流太慢了，电话13800138001一直没人接", "complain", csat_score="2")
    thanks = CollectingDispatcher()
    await ActionRecordRatingComment().run(thanks, comment, {})
    assert _responses(thanks) == ["utter_rating_comment_thanks"]
    [(score, text, customer)] = await _ratings(store)
    assert (score, customer) == (2, None)
    assert text is not None and "13800138001" not in text and "物流太慢了" in text


async def test_declining_the_comment_stores_the_rating_alone(
    store: HandoffService, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionRecordRatingComment().run(dispatcher, anonymous("不用了", csat_score="1"), {})
    assert _responses(dispatcher) == ["utter_rating_thanks"]
    assert await _ratings(store) == [(1, None, None)]


async def test_an_unreadable_rating_is_asked_again(
    store: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionRecordRating().run(dispatcher, zhang("嗯嗯", "rate_service"), {})
    assert _responses(dispatcher) == ["utter_rating_not_understood"]
    assert await _ratings(store) == []
