"""Order status over HTTP through the real Rasa server, action server and backend."""

from __future__ import annotations

import sqlite3
import time

import pytest

from zhike.tools.stack import PROJECT_ROOT, Stack

from .conftest import AppConversation, Conversation

pytestmark = pytest.mark.e2e


def test_an_app_customer_gets_status_and_logistics_from_the_backend(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("帮我查一下订单HP20240001")
    assert "HP20240001" in answer
    assert "已发货" in answer
    assert "SF1234567890" in answer and "顺丰" in answer


def test_a_delivered_order_is_reported_as_signed_for(zhang_app: AppConversation) -> None:
    assert "已签收" in zhang_app.say("hp20240002 这个订单到哪了")


def test_a_signed_for_parcel_the_customer_never_got_is_offered_a_person(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("HP20240002 显示已经签收了 可是我没收到啊")
    assert "已签收" in answer and "转人工" in answer


def test_a_logistics_question_lists_the_latest_scans(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20240001的快递到哪了")
    assert "最近的物流记录" in answer


def test_the_app_ignores_the_sender_in_the_body(li_app: AppConversation) -> None:
    # the body claims sender C001; the token says C002, so 张伟's order stays hidden
    answer = li_app.say("查一下订单HP20240001")
    assert "没有查到订单 HP20240001" in answer and "SF1234567890" not in answer
    assert "ZT9876543210" in li_app.say("查一下订单HP20240005")


def test_an_anonymous_user_proves_the_phone_digits_first(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    ask = chat.say("帮我查一下订单HP20240001")
    assert "后 4 位" in ask and "SF1234567890" not in ask
    answer = chat.say("8001")
    assert "已发货" in answer and "SF1234567890" in answer
    # proved once in this chat: no second question
    assert "已发货" in chat.say("HP20240001现在什么状态")


def test_five_wrong_tries_lock_the_order(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    chat.say("查订单HP20240005")
    for left in (4, 3, 2, 1):
        assert f"还可以再试 {left} 次" in chat.say("0000")
    assert "锁定 15 分钟" in chat.say("0000")
    chat.say("查订单HP20240005")
    answer = chat.say("9002")  # right digits, but locked
    assert "ZT9876543210" not in answer and "锁定" in answer
    # another user is not locked out
    other = Conversation(fresh.config.rasa_url)
    other.say("查订单HP20240005")
    assert "ZT9876543210" in other.say("9002")


def test_the_bot_asks_for_the_order_number_and_rejects_a_malformed_one(
    li_app: AppConversation,
) -> None:
    assert "订单" in li_app.say("我想查一下我的订单")
    assert "格式" in li_app.say("HP123")
    answer = li_app.say("HP20240005")
    assert "HP20240005" in answer and "中通" in answer


def test_three_invalid_answers_offer_a_human(li_app: AppConversation) -> None:
    li_app.say("我想查一下我的订单")
    li_app.say("HP1")
    li_app.say("HP12")
    answer = li_app.send("HP123")
    text = "\n".join(reply.get("text", "") for reply in answer)
    assert "人工" in text
    assert any(b["payload"] == "/human_handoff" for r in answer for b in r.get("buttons", []))


def test_an_unknown_order_is_reported_as_not_found(zhang_app: AppConversation) -> None:
    assert "没有查到订单 HP29999999" in zhang_app.say("查询订单HP29999999")


def test_no_personal_data_in_the_status_answer(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("订单HP20240001现在什么状态")
    assert "13800138001" not in answer and "张伟" not in answer


def test_the_answer_follows_a_change_in_the_backend(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    """The bot reads live data: change the order in the backend's database, ask again."""
    assert "等待发货" in zhang_app.say("查下订单HP20240003的状态")
    with sqlite3.connect(fresh.config.state_dir / "backend.db") as db:
        db.execute("UPDATE orders SET status = 'cancelled' WHERE id = 'HP20240003'")
    assert "已取消" in zhang_app.say("查下订单HP20240003的状态")


def test_backend_down_gets_an_apology_and_the_conversation_goes_on(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    backend = next(s for s in fresh.services if s.name == "backend")
    backend.stop()
    try:
        started = time.monotonic()
        answer = zhang_app.say("帮我查一下订单HP20240001")
        assert time.monotonic() - started < 3.0
        assert "抱歉" in answer and "转人工" in answer
        assert zhang_app.say("你好")  # the conversation continues
    finally:
        backend.start(fresh.config.state_dir / "logs", PROJECT_ROOT)
        deadline = time.monotonic() + 30
        while not backend.ready() and time.monotonic() < deadline:
            time.sleep(0.2)
    time.sleep(1.1)  # the action server's circuit breaker closes again
    assert "已发货" in zhang_app.say("查一下订单HP20240001")


def test_the_parcels_tracking_number_stands_for_the_order(zhang_app: AppConversation) -> None:
    assert "订单" in zhang_app.say("帮我查下订单")
    answer = zhang_app.say("SF1234567890")  # copied from the courier's SMS
    assert "HP20240001" in answer and "格式" not in answer


def test_an_unsure_question_about_an_order_leads_to_the_service_it_names(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("HP20240002这个能换货吗")
    text = "\n".join(r.get("text", "") for r in replies)
    offered = [b for r in replies for b in r.get("buttons", []) if "换货" in b["title"]]
    # either the exchange starts at once, or it is offered with the order filled in
    assert "换货" in text or offered, replies
    if offered:
        assert "HP20240002" in offered[0]["payload"]
        assert "换货" in zhang_app.say(offered[0]["payload"])


def test_an_order_number_after_the_price_protection_rules_offers_it(
    zhang_app: AppConversation,
) -> None:
    assert "价保" in zhang_app.say("买完就降价了，能补差价吗")
    replies = zhang_app.send("HP20240002")
    text = "\n".join(r.get("text", "") for r in replies)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    # offered after the order's status, or (read as a request at once) under way
    assert any("价保" in title for title in titles) or "差价" in text, replies


def test_a_customer_who_does_not_know_the_order_number_is_helped(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "订单号" in chat.say("你好我想查下我的订单")
    answer = chat.say("我不知道订单号啊")  # where to find it, and the phone check at once
    assert "我的订单" in answer and "手机号" in answer and "格式" not in answer
    kept = chat.say("HP20240001")  # found it after all: kept for after the check
    assert "HP20240001" in kept and "格式" not in kept
    forgot = chat.say("手机号忘了")
    assert "人工客服" in forgot and "格式" not in forgot
