"""Order status over HTTP through the real Rasa server, action server and backend."""

from __future__ import annotations

import sqlite3
import time

import pytest

from zhike.stack import Stack

from .conftest import Conversation

pytestmark = pytest.mark.e2e


def test_status_and_logistics_come_from_the_backend(chat: Conversation) -> None:
    answer = chat.say("帮我查一下订单HP20240001")
    assert "HP20240001" in answer
    assert "已发货" in answer
    assert "SF1234567890" in answer and "顺丰" in answer


def test_a_delivered_order_is_reported_as_signed_for(chat: Conversation) -> None:
    answer = chat.say("hp20240002 这个订单到哪了")
    assert "已签收" in answer


def test_the_answer_follows_a_change_in_the_backend(stack: Stack, chat: Conversation) -> None:
    """The bot reads live data: change the order in the backend's database, ask again."""
    assert "等待发货" in chat.say("查下订单HP20240003的状态")
    db_path = stack.config.state_dir / "backend.db"
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE orders SET status = 'cancelled' WHERE id = 'HP20240003'")
    try:
        assert "已取消" in Conversation(stack.config.rasa_url).say("查下订单HP20240003的状态")
    finally:
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE orders SET status = 'paid' WHERE id = 'HP20240003'")


def test_the_bot_asks_for_the_order_number_and_rejects_a_malformed_one(chat: Conversation) -> None:
    assert "订单号" in chat.say("我想查一下我的订单")
    assert "格式" in chat.say("HP123")
    answer = chat.say("HP20240005")
    assert "HP20240005" in answer and "中通" in answer


def test_an_unknown_order_is_reported_as_not_found(chat: Conversation) -> None:
    answer = chat.say("查询订单HP29999999")
    assert "没有查到订单 HP29999999" in answer


def test_no_personal_data_in_the_status_answer(chat: Conversation) -> None:
    answer = chat.say("订单HP20240001现在什么状态")
    assert "13800138001" not in answer and "张伟" not in answer


def test_backend_down_gets_an_apology_and_the_conversation_goes_on(
    stack: Stack, chat: Conversation
) -> None:
    backend = next(s for s in stack.services if s.name == "backend")
    backend.stop()
    try:
        started = time.monotonic()
        answer = chat.say("帮我查一下订单HP20240001")
        assert time.monotonic() - started < 3.0
        assert "抱歉" in answer and "转人工" in answer
        assert chat.say("你好")  # the conversation continues
    finally:
        backend.start(stack.config.state_dir / "logs", stack.config.state_dir)
        deadline = time.monotonic() + 30
        while not backend.ready() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert "已发货" in Conversation(stack.config.rasa_url).say("查一下订单HP20240001")
