"""Questions answered from the knowledge base, through the real servers, as customers ask.

The knowledge base is the stack's own (seeded with data/kb/faq.yml by the action server):
an answer when an entry matches well, "您是想问" with the closest questions when unsure,
and an honest "can't answer yet" with 转人工 otherwise; what was not answered lands in the
unanswered-questions queue staff work from.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import UnansweredQueue
from zhike.tools.stack import Stack

from .conftest import Conversation

pytestmark = pytest.mark.e2e


def _queued(stack: Stack) -> list[str]:
    """Every example question in the stack's unanswered-questions queue."""

    async def read() -> list[str]:
        db = KbDatabase(stack.config.extra_env["ZHIKE_KB_DB_URL"])
        try:
            groups = await UnansweredQueue(KnowledgeBase(db)).groups(limit=500)
            return [example for group in groups for example in group.examples]
        finally:
            await db.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_a_policy_question_typed_loosely_gets_the_answer(chat: Conversation) -> None:
    assert "原路退回" in chat.say("退款一般几天能到账呀")


@pytest.mark.parametrize(
    ("text", "words"),
    # topics no other end-to-end test adds entries about (a close second entry rightly
    # turns the answer into "您是想问")
    [("快递从石家庄到武汉要多久", "1–3天送达"), ("退货是不是得先签收", "无理由退货")],
)
def test_a_question_the_nlu_is_sure_of_gets_the_clearly_closest_answer(
    chat: Conversation, text: str, words: str
) -> None:
    # below the answer threshold, but clearly the closest entry: answered when DIET is
    # sure it is a question, else offered ("您是想问", or "您是想咨询…" beside the request
    # DIET leaned to) -- one click at most
    replies = chat.send(text)
    answer = "\n".join(r.get("text") or "" for r in replies)
    if "您是想问" in answer or "您是想咨询" in answer:  # DIET unsure it is a question
        buttons = [button for r in replies for button in r.get("buttons", [])]
        entry = next((b for b in buttons if b["title"].endswith("？")), buttons[0])
        answer = chat.say(entry["payload"])
    assert words in answer


@pytest.mark.parametrize("text", ["我想了解下保价问题", "今天买了手机 明天如果降价可以申请价保吗"])
def test_price_protection_asked_about_gets_the_rules_and_the_request_as_a_button(
    chat: Conversation, text: str
) -> None:
    # DIET takes both for the request itself; they ask about the rules
    replies = chat.send(text)
    said = "\n".join(r.get("text", "") for r in replies)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "价保期" in said  # the rules ...
    assert "申请价保" in titles  # ... with the request one click away ...
    assert len(replies) == 1  # ... but not started on its own (no order number asked)


def test_asking_how_to_get_an_invoice_is_answered_not_started(chat: Conversation) -> None:
    replies = chat.send("我想知道怎么开发票")
    said = "\n".join(r.get("text", "") for r in replies)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "验证身份" not in said and "手机号" not in said  # no identity check for a question
    assert "发票" in said or any("发票" in title for title in titles)


def test_whether_coupons_come_back_is_answered_not_a_cancellation(chat: Conversation) -> None:
    said = chat.say("取消订单的话优惠券会退回来吗")
    assert "优惠券会在退款完成后自动返还" in said
    assert "验证身份" not in said and "确认要取消" not in said  # nothing started


def test_a_question_in_the_middle_of_a_form_is_answered_and_the_form_goes_on(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    # the order lookup starts as a click on 「查询订单状态」 does: what is tested is the
    # question asked inside it, not how one model reads the opener
    assert "订单号" in chat.say("/query_order")
    reply = chat.say("对了你们人工客服几点下班")
    assert "21:00" in reply  # the answer ...
    assert "订单号" in reply  # ... and the order number is asked for again
    assert "后 4 位" in chat.say("HP20240001")  # the order check goes on where it was


def test_an_unsure_question_offers_the_closest_questions_and_a_click_answers(
    chat: Conversation,
) -> None:
    # two entries come close: when a refund arrives, and how a course is refunded
    replies = chat.send("退课的钱多久能退回来")
    text = "\n".join(r.get("text", "") for r in replies)
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert "您是想问" in text
    titles = [b["title"] for b in buttons]
    assert {"退款多久能到账？", "退课怎么退费？"} <= set(titles) and titles[-1] == "都不是"
    picked = next(b for b in buttons if b["title"] == "退课怎么退费？")
    assert "退课" in chat.say(picked["payload"])


def test_none_of_the_suggestions_is_owned_up_to_and_queued(
    fresh: Stack, chat: Conversation
) -> None:
    buttons = [b for r in chat.send("退课的钱多久能退回来") for b in r.get("buttons", [])]
    reply = chat.say(buttons[-1]["payload"])  # 都不是
    assert "记录" in reply and "转人工" in reply
    assert "退课的钱多久能退回来" in _queued(fresh)


def test_a_question_nobody_wrote_an_answer_for_is_not_answered_but_queued(
    fresh: Stack, chat: Conversation
) -> None:
    replies = chat.send("你们支持用数字人民币付尾款吗")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "暂时还回答不了" in text
    assert "/human_handoff" in [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "你们支持用数字人民币付尾款吗" in _queued(fresh)
