"""What the customer already said counts, through the real stack.

A question about the order just shown is about that order; details given while the
identity check asks for a phone or code are kept; "好的明白了" is no yes and no fallback.
"""

from __future__ import annotations

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, Conversation, first_unsure, last_code, texts, titles

pytestmark = pytest.mark.e2e


def test_can_this_be_returned_is_answered_for_the_order_just_shown(
    zhang_app: AppConversation,
) -> None:
    assert "已签收" in zhang_app.say("帮我看看HP20240002这单")
    replies = zhang_app.send("这个还能退不")
    answer = texts(replies)
    assert "HP20240002" in answer and "7 天" in answer and "回答不了" not in answer
    [refund] = [b for r in replies for b in r.get("buttons", []) if "退款" in b["title"]]
    exchange = zhang_app.send("那能换吗")  # unclear twice in a row, but understood both times
    assert "人工" not in texts(exchange)
    assert any("换货" in title for title in titles(exchange))
    # the button starts the refund of that order: its reason is asked next
    assert "退款的原因" in zhang_app.say(refund["payload"])


def test_an_order_being_refunded_is_not_offered_a_second_refund(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "后 4 位" in chat.say("查一下订单HP20240004")
    assert "退款处理中" in chat.say("8001")
    replies = chat.send("那这个能退吗")
    assert "处理中的退款申请" in texts(replies)
    assert titles(replies) == ["查询退款进度"]


def test_a_reason_said_during_the_identity_check_is_not_asked_again(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("我要退款")
    noted = chat.say("买错了")
    assert "退款原因「买错了」我先记下了" in noted and "退货" not in noted
    whole = chat.say("8001")  # what the order lookup asks for
    assert "11 位" in whole and "格式" not in whole
    assert "138****8001" in chat.say("13800138001")
    chat.say(last_code(fresh, "13800138001"))
    confirm = chat.say("HP20240003")
    assert "确认为订单 HP20240003 申请退款" in confirm and "买错了" in confirm
    assert "退款申请已提交" in chat.say("确认")


def test_a_new_time_said_while_the_code_is_asked_is_kept(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "验证身份" in chat.say("英语课能不能换个时间")
    chat.say("13800138001")
    noted = chat.say("改到下周三晚上7点吧")
    assert "下周三晚上7点" in noted and "不正确" not in noted
    replies = chat.send(last_code(fresh, "13800138001"))
    if "调到什么时间" not in texts(replies) and "申请调课到" not in texts(replies):
        # more than one English lesson: the customer picks one
        english = next(b for r in replies for b in r.get("buttons", []) if "英语" in b["title"])
        replies = chat.send(english["payload"])
    summary = texts(replies)
    assert "申请调课到" in summary and "周三）19:00" in summary  # the time is not asked again


def test_i_see_after_an_answer_is_no_question_and_no_handoff(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "运费" in chat.say("退货运费谁出啊")
    first = chat.say("好的明白了")
    second = chat.say("懂了")
    for reply in (first, second):
        assert "您是想咨询" not in reply and "工单" not in reply and "人工" not in reply


def test_a_short_follow_up_on_an_answer_gets_it_again(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "运费" in chat.say("退货运费谁出啊")
    again = chat.say("质量问题呢")  # too vague alone; the answer just given covers it
    assert "质量问题" in again and "您是想" not in again and "回答不了" not in again
    assert "试听" in chat.say("课程可以试听吗")
    booking = chat.say("怎么预约")
    assert "试听" in booking and "您是想" not in booking


def test_urging_the_parcel_just_shown_tells_when_it_comes(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    chat.say("HP20240001到哪了")
    assert "运输中" in chat.say("8001")
    replies = chat.send("能不能快点啊")
    assert "预计" in texts(replies) and "您是想" not in texts(replies)
    assert "转人工客服" in titles(replies)


# Messages about a price drop the robot may be unsure of ("买的手机降价了" is a request now:
# zhike/nlu/frames.yml); the test takes the first this model asks about.
PRICE_DROPS = ("刚买就降价", "手机价格便宜了好多", "买完就降价 这也太快了")


def test_an_order_number_typed_after_did_you_mean_offers_what_was_asked(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    chat.say(first_unsure(fresh, PRICE_DROPS))  # unclear: asked about
    chat.say("HP20240001")
    replies = chat.send("8001")
    assert "运输中" in texts(replies)
    assert any("价保" in title for title in titles(replies))
