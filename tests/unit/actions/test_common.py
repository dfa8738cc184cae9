from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import ActionAskAffirmation, ActionDefaultFallback, intent_titles

DOMAIN: dict = {}


async def test_affirmation_offers_the_two_most_likely_topics_in_chinese(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    await ActionAskAffirmation().run(dispatcher, load_tracker("unsure_parse"), DOMAIN)

    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation_intro"
    titles = [b["title"] for b in message["buttons"]]
    payloads = [b["payload"] for b in message["buttons"]]
    # nlu_fallback and inform are skipped; faq is shown as its sub-intent's question
    assert titles == ["查询物流进度", "下单后多久发货？", "都不是"]
    assert payloads == ["/query_logistics", "下单后多久发货？", "/out_of_scope"]


async def test_affirmation_without_candidates_asks_to_rephrase(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    tracker = load_tracker("unsure_parse")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.9}]
    await ActionAskAffirmation().run(dispatcher, tracker, DOMAIN)

    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_final_fallback_offers_a_human_and_reverts_the_message(
    load_tracker: Callable[..., Tracker], dispatcher: CollectingDispatcher
) -> None:
    events = await ActionDefaultFallback().run(dispatcher, load_tracker("unsure_parse"), DOMAIN)

    assert dispatcher.messages[0]["response"] == "utter_default"
    assert events == [UserUtteranceReverted()]


def test_every_title_is_chinese_and_non_empty() -> None:
    titles = intent_titles()
    for group in ("intents", "retrieval"):
        for key, title in titles[group].items():
            assert title and any("\u4e00" <= ch <= "\u9fff" for ch in title), key
