"""Tickets and binding a web user to an account by phone + one-time code."""

from __future__ import annotations

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, Conversation, last_code

pytestmark = pytest.mark.e2e


def test_a_complaint_opens_a_ticket_the_customer_can_ask_about(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("你们这服务也太差了我要投诉")
    assert "投诉工单 TK" in answer
    ticket = answer.split("投诉工单 ")[1][:10]
    assert ticket in zhang_app.say(f"查一下工单{ticket}")
    assert ticket in zhang_app.say("工单进度")  # a known customer sees their tickets
    # "how long": this chat's complaint first, with when the customer will be called
    how_long = zhang_app.say("投诉处理要多久啊")
    assert how_long.startswith(f"工单 {ticket}") and "前联系您" in how_long


def test_the_rest_of_the_story_goes_to_the_same_complaint_ticket(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("我要投诉快递员")
    assert "投诉工单 TK" in answer
    ticket = answer.split("投诉工单 ")[1][:10]
    more = zhang_app.say("态度太差了，还骂人")
    assert ticket in more and "记录" in more
    assert more.count("TK") == 1  # no second ticket


def test_a_detail_and_how_long_after_a_complaint_stay_with_its_ticket(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("我要投诉 快递员态度太差了")
    ticket = answer.split("投诉工单 ")[1][:10]
    detail = zhang_app.say("就是那个顺丰的 骂人")  # a statement DIET cannot place
    assert ticket in detail and "记录" in detail
    how_long = zhang_app.say("多久能处理好")  # no word of a ticket: this complaint's
    assert how_long.startswith(f"工单 {ticket}") and "前联系您" in how_long


def test_the_order_given_right_after_a_complaint_is_added_to_its_ticket(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("你们这个破壁机质量太差了 我要投诉")
    ticket = answer.split("投诉工单 ")[1][:10]
    given = zhang_app.say("就是HP20240004")  # was: the order's status, the complaint aside
    assert ticket in given and "记录" in given and "当前状态" not in given
    assert "HP20240004" in zhang_app.say("它现在什么状态")  # the order stays in focus


def test_an_anonymous_complaint_ticket_is_visible_in_the_same_chat_only(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    answer = chat.say("你们这服务也太差了我要投诉")
    ticket = answer.split("投诉工单 ")[1][:10]
    assert "已受理" in chat.say(f"查一下工单{ticket}")
    stranger = Conversation(fresh.config.rasa_url)
    assert "没有查到工单" in stranger.say(f"查一下工单{ticket}")


def test_a_web_user_binds_by_phone_and_code_then_sees_their_orders(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    asked = chat.say("我的订单列表")  # anonymous: the identity check starts at once
    assert "手机号" in asked and "绑定账户" not in asked
    assert "138****8001" in chat.say("13800138001")
    assert "验证码不正确" in chat.say("000000")
    replies = chat.send(last_code(fresh, "13800138001"))
    assert "验证成功" in replies[0]["text"]
    # then the list asked for before the check, without asking again
    payloads = {b["payload"] for r in replies for b in r.get("buttons") or []}
    assert payloads >= {"HP20240001", "HP20240003"}
    again = {b["payload"] for b in chat.buttons("我的订单列表")}  # verified: listed at once
    assert "HP20240001" in again


def test_a_question_about_own_records_is_answered_after_the_identity_check(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    asked = chat.say("孩子这礼拜都有啥课啊")
    assert "手机号" in asked and "绑定账户" not in asked
    chat.say("13800138001")
    answer = chat.say(last_code(fresh, "13800138001"))
    assert "验证成功" in answer and "近期的课程安排" in answer and "张小明" in answer
    other = Conversation(fresh.config.rasa_url)
    other.say("价保的结果出来了没")
    other.say("13900139002")
    answer = other.say(last_code(fresh, "13900139002"))
    assert "验证成功" in answer and "价保" in answer and "验证码" not in answer.split("验证成功")[1]


def test_an_anonymous_cancel_asks_to_verify_first(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("我要取消订单HP20240003")
    chat.say("13800138001")
    chat.say(last_code(fresh, "13800138001"))
    assert "确认要取消订单 HP20240003" in chat.say("HP20240003")


def test_no_log_of_any_service_holds_a_full_phone_number(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    chat.say("绑定账户")
    chat.say("我的手机号是13800138001")
    chat.say(last_code(fresh, "13800138001"))
    logs = {
        path.name: path.read_text("utf-8", "replace")
        for path in fresh.config.state_dir.glob("logs/*.log")
    }
    assert set(logs) >= {"backend.log", "actions.log", "rasa.log"}
    for name, text in logs.items():
        assert "13800138001" not in text, f"{name} logs a full phone number"
    assert "138****8001" in logs["backend.log"]  # the code was "sent", masked


def test_the_identity_check_answers_what_customers_say_instead_of_numbers(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("我要开发票")
    why = chat.say("为什么还要手机号啊")
    assert "确认是您本人" in why and "格式" not in why
    assert "138****8001" in chat.say("好吧 13800138001")
    wait = chat.say("等一下哈")
    assert "不着急" in wait and "不正确" not in wait
    late = chat.say("怎么还没收到短信")  # not a question about a parcel here
    assert "稍等" in late and "物流" not in late and "不正确" not in late
    assert "验证成功" in chat.say(last_code(fresh, "13800138001"))


def test_a_customer_who_forgot_their_phone_is_offered_a_person(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("帮我取消订单HP20240003")
    replies = chat.send("我手机号早就换了")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "人工客服" in text and "格式" not in text
    assert any(b["title"] == "转人工客服" for r in replies for b in r.get("buttons", []))


def test_a_customer_who_does_not_know_the_order_number_verifies_and_picks_the_order(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "订单号" in chat.say("帮我查下订单")
    helped = chat.say("我不知道订单号啊")
    assert "我的订单" in helped and "手机号" in helped and "绑定账户" not in helped
    assert "138****8001" in chat.say("13800138001")
    replies = chat.send(last_code(fresh, "13800138001"))
    assert "验证成功" in replies[0]["text"]
    payloads = {b["payload"] for r in replies for b in r.get("buttons") or []}
    assert "HP20240001" in payloads  # their orders, to pick from
    assert "SF1234567890" in chat.say("HP20240001")


def test_a_forgotten_order_number_during_the_identity_check_is_no_forgotten_phone(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("我想退货")
    answer = chat.say("不记得订单号了")
    assert "不需要订单号" in answer and "人工" not in answer
    assert "138****8001" in chat.say("13800138001")  # the check goes on


def test_a_phone_number_typed_after_turning_the_check_down_starts_it_again(
    fresh: Stack,
) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "手机号" in chat.say("我的订单列表")
    assert "取消" in chat.say("不用了")  # the check is turned down ...
    sent = chat.say("13900139002")  # ... then the customer gives the number after all
    assert "139****9002" in sent and "没能理解" not in sent
    replies = chat.send(last_code(fresh, "13900139002"))
    assert "验证成功" in replies[0]["text"]


def test_a_company_title_typed_during_the_identity_check_is_noted(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "手机号" in chat.say("我的发票抬头开错了 要改成公司的")
    noted = chat.say("杭州智客科技有限公司")
    assert "发票抬头「杭州智客科技有限公司」我先记下了" in noted and "手机号" in noted
    assert "格式" not in noted  # no wrong phone
    assert "取消" in chat.say("算了")
