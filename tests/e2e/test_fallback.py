"""The Chinese two-stage fallback, through the real Rasa server."""

from __future__ import annotations

import httpx
import pytest
import yaml

from zhike.tools.stack import PROJECT_ROOT, Stack

from .conftest import API, AppConversation, Conversation, first_unsure, texts

pytestmark = pytest.mark.e2e

TITLES = yaml.safe_load((PROJECT_ROOT / "actions" / "intent_titles.yml").read_text("utf-8"))


@pytest.mark.parametrize("key", sorted(TITLES["retrieval"]))
def test_a_topic_button_gets_that_topics_answer(stack: Stack, key: str) -> None:
    """A FAQ/small-talk button sends its question as text: it must select that answer."""
    parse = httpx.post(
        f"{stack.config.rasa_url}/model/parse",
        params=API,
        json={"text": TITLES["retrieval"][key]},
        timeout=30,
    ).json()
    selected = parse["response_selector"]["default"]["response"]["intent_response_key"]
    assert parse["intent"]["name"] == key.split("/")[0]
    assert selected == key


# Messages no intent fits; which of them a given model is unsure about varies with
# training, so the test takes the first that /model/parse sends to the fallback.
PROBES = (
    "咕噜咕噜哔哩吧啦",
    "嗯嗯那个啥就是上回的那个东东",
    "啦啦啦嘟嘟嘟",
    "那个东东呢东东",
    "呃呃啊啊那个谁",
)


def _unsure_probe(stack: Stack) -> str:
    return first_unsure(stack, PROBES)


def test_gibberish_gets_buttons_then_rephrase_then_a_person_offered(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    probe = _unsure_probe(fresh)
    first = chat.send(probe)
    buttons = [b for r in first for b in r.get("buttons", [])]
    # first stage: "did you mean ...?" with Chinese titles
    assert buttons and buttons[-1]["title"] == "都不是"
    assert all(any("\u4e00" <= c <= "\u9fff" for c in b["title"]) for b in buttons)
    second = chat.say("/out_of_scope")
    assert "换个说法" in second
    # not understood a second time with no agent online: a person is offered, and no
    # callback ticket is opened that the customer never asked for
    final = chat.send(probe)
    assert "需要为您转接人工客服吗" in texts(final) and "工单" not in texts(final)
    assert "/human_handoff" in [b["payload"] for r in final for b in r.get("buttons", [])]
    assert "已为您登记工单 TK" in chat.say("转人工")  # asked for: the ticket


def test_clicking_a_suggested_intent_continues_with_that_intent(
    stack: Stack, chat: Conversation
) -> None:
    chat.send(_unsure_probe(stack))
    answer = chat.say("/query_order")
    assert "订单号" in answer


SMALL_TALK = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "chitchat.yml").read_text("utf-8"))


def test_weather_is_declined_and_a_song_title_gets_no_small_talk_about_something_else(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "超出了我的服务范围" in chat.say("明天北京会下雨吗")
    unrelated = [
        reply["text"]
        for key in ("chitchat/insult", "chitchat/how_are_you", "chitchat/ask_name")
        for reply in SMALL_TALK["responses"][f"utter_{key}"]
    ]
    for title in ("稻香这首歌", "你会唱青花瓷吗", "听听告白气球"):
        answer = chat.say(title)
        assert answer and not any(text in answer for text in unrelated), title


# Customers' messages that fit two neighbouring requests. Where DIET and the second,
# linear model (zhike/nlu/second_opinion.py) read one differently, the customer is asked
# with both readings as buttons; which message they split on varies with training, so
# the test takes the first that /model/parse shows split.
TWO_READINGS = (
    "发票开错了我想问下怎么弄",
    "我那个退货申请咋样了",
    "帮我看看这单还能取消吗",
    "快递员说明天送，能不能改到后天",
    "东西坏了是退还是换好",
    "那个取件的一直没来电话",
)


def _split_probe(stack: Stack) -> tuple[str, list[str]]:
    """A message the two models read differently, and its two readings (ranked order)."""
    for probe in TWO_READINGS:
        parse = httpx.post(
            f"{stack.config.rasa_url}/model/parse", params=API, json={"text": probe}, timeout=30
        ).json()
        assert "second_opinion" in parse, "the second opinion is not in the pipeline"
        readings = [r["name"] for r in parse["intent_ranking"][1:3]]
        if (
            parse["intent"]["name"] == "nlu_fallback"
            and parse["second_opinion"]["name"] in readings
            and all(name in TITLES["intents"] for name in readings)
        ):
            return probe, readings
    pytest.skip("the two models read every probe message alike")


def test_a_message_with_two_readings_offers_both_and_the_customer_picks(
    stack: Stack, chat: Conversation
) -> None:
    probe, readings = _split_probe(stack)
    buttons = chat.buttons(probe)
    assert [b["title"] for b in buttons[:2]] == [TITLES["intents"][n] for n in readings]
    assert buttons[-1]["title"] == "都不是"
    # the customer's pick is taken as that request: no second "did you mean"
    picked = chat.say(buttons[1]["payload"])
    assert picked and "您是想咨询" not in picked and "换个说法" not in picked


@pytest.mark.parametrize(
    ("typed", "button"),
    [
        ("第二个", 1),  # the second reading, by its number
        ("确定", 0),  # a plain yes: the first, likelier reading (was "还有其他可以帮您的吗？")
    ],
)
def test_a_reading_typed_instead_of_clicked_is_taken_as_the_click(
    stack: Stack, chat: Conversation, typed: str, button: int
) -> None:
    probe, _ = _split_probe(stack)
    clicking = Conversation(stack.config.rasa_url)
    clicked = clicking.say(clicking.buttons(probe)[button]["payload"])
    chat.buttons(probe)
    assert chat.say(typed) == clicked


# 张伟 (C001) bought one 电热水壶 (HP20241304). Customers name what they bought, and the
# robot may still be unsure what they want done with it.
PROBLEMS = ("我买的东西有点问题", "买的东西不太对劲", "我那个东西出了点状况")
KETTLE_OPENINGS = ("我的水壶怎么样了", "水壶那单咋样了", "那个水壶呢")


def test_naming_the_goods_after_a_clarification_offers_that_orders_requests(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    problem = first_unsure(fresh, PROBLEMS)
    offered = [b["payload"] for b in zhang_app.buttons(problem)]
    replies = zhang_app.send("是那个水壶")  # an answer without an entity, to the NLU
    said = "\n".join(r.get("text", "") for r in replies)
    assert "HP20241304" in said and "没能理解" not in said  # before: 「没能理解…转人工」
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payloads[-1] == "/out_of_scope"
    assert payloads[:-1] and all('"order_id": "HP20241304"' in p for p in payloads[:-1])
    # the requests the clarification offered, now for the kettle
    assert {p.split("{")[0] for p in payloads[:-1]} <= {
        p.replace("/list_orders", "/query_order") for p in offered
    }
    started = zhang_app.say(payloads[0])
    assert "HP20241304" in started and "哪一笔订单" not in started


def test_an_unclear_question_about_named_goods_carries_that_order(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    opening = first_unsure(fresh, KETTLE_OPENINGS)
    replies = zhang_app.send(opening)
    assert "HP20241304" in "\n".join(r.get("text", "") for r in replies)
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert all('"order_id": "HP20241304"' in p for p in payloads[:-1])
