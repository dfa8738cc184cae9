"""Customers type instead of clicking: typed yes/no, a button's number, a pasted order card.

Each typed answer is read by the actions the same way whatever the NLU model made of the
words; the openings are the plain requests the other end-to-end tests use, so these
conversations do not depend on one trained model's quirks.
"""

from __future__ import annotations

from .conftest import AppConversation, texts

ORDER_CARD = (
    "订单编号：HP20240003\n订单金额：¥299.00\n下单时间：2024-11-20 10:31:05\n商品：智能音箱 x1"
)


def test_a_typed_yes_cancels_the_order(zhang_app: AppConversation) -> None:
    assert "确认要取消订单 HP20240003" in zhang_app.say("我要取消订单HP20240003")
    assert "已为您取消" in zhang_app.say("确定取消！")


def test_a_typed_no_keeps_the_order(zhang_app: AppConversation) -> None:
    zhang_app.say("我要取消订单HP20240003")
    assert "保留" in zhang_app.say("算了，不取消了")
    assert "等待发货" in zhang_app.say("查下订单HP20240003的状态")


def test_a_refund_reason_picked_by_its_number_and_confirmed_in_words(
    zhang_app: AppConversation,
) -> None:
    assert "退款的原因" in zhang_app.say("订单HP20240002我要退款")
    confirm = zhang_app.say("2")
    assert "HP20240002" in confirm and "发错货或少件" in confirm
    assert "退款申请已提交" in zhang_app.say("好的")


def test_a_pasted_order_card_answers_which_order(zhang_app: AppConversation) -> None:
    assert "确认要取消订单" not in (ask := zhang_app.say("我要取消订单"))
    assert "订单号" in ask
    assert "确认要取消订单 HP20240003" in zhang_app.say(ORDER_CARD)
    assert "保留" in zhang_app.say("我再想想")


def test_a_typed_rating_after_goodbye_is_taken(zhang_app: AppConversation) -> None:
    assert "打个分" in zhang_app.say("再见")
    assert "感谢您的评价" in zhang_app.say("5")


def test_a_question_instead_of_a_rating_is_answered(zhang_app: AppConversation) -> None:
    assert "打个分" in zhang_app.say("再见")
    answer = zhang_app.say("查下订单HP20240003的状态")
    assert "等待发货" in answer and "评分" not in answer


def test_a_goodbye_in_the_middle_of_a_form_ends_the_form(zhang_app: AppConversation) -> None:
    assert "订单号" in zhang_app.say("我要取消订单")
    bye = zhang_app.say("再见")
    assert "打个分" in bye and "订单号" not in bye  # the form does not ask again
    assert "感谢您的评价" in zhang_app.say("5")
    assert "确认要取消" not in zhang_app.say("HP20240003")  # the cancellation was dropped


def test_an_order_picked_from_the_list_by_its_place_is_looked_up(
    zhang_app: AppConversation,
) -> None:
    listing = zhang_app.buttons("我最近买的订单")
    assert len(listing) >= 3
    answer = zhang_app.say("第三个")  # typed, not clicked
    assert f"您的订单 {listing[2]['payload']}" in answer and "您是想咨询" not in answer


def test_a_pasted_order_card_alone_shows_that_order(zhang_app: AppConversation) -> None:
    answer = zhang_app.say(ORDER_CARD)
    assert "HP20240003" in answer and "等待发货" in answer
    assert "确认要取消订单 HP20240003" in zhang_app.say("那帮我取消吧")  # the order in focus


def test_a_rating_after_a_thank_you_is_still_taken(zhang_app: AppConversation) -> None:
    assert "打个分" in zhang_app.say("再见")
    zhang_app.say("谢谢 没别的了")
    assert "感谢您的评价" in zhang_app.say("4")


def test_a_yes_picks_the_only_order_offered(li_app: AppConversation) -> None:
    offered = [b["payload"] for b in li_app.buttons("我要取消订单")]
    assert offered == ["HP20240005"]  # 李娜 has one order
    answer = li_app.say("嗯 确定取消吧")
    assert "HP20240005" in answer and "点选" not in answer


def test_repeating_the_new_size_and_then_yes_submits_the_exchange(
    zhang_app: AppConversation,
) -> None:
    confirm = zhang_app.say("HP20241301 鞋子码数小了想换大一码")
    assert "黑色 43 码" in confirm and "确认申请换货吗" in confirm
    again = zhang_app.say("43")  # the customer repeats the size: asked again, kindly
    assert "确认" in again and "您是想咨询" not in again and "再见" not in again
    assert "换货申请已提交" in zhang_app.say("确定")


def test_the_goods_named_answer_which_order_even_in_a_status_question(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我的退款到哪一步了")
    status = zhang_app.say("是那个破壁机的")  # no order number: the blender being refunded
    assert "HP20240004" in status and "先咨询商品" not in status


def test_goods_of_two_orders_are_asked_which_and_the_number_then_goes_on(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我想换货")
    replies = zhang_app.send("鞋子")  # two pairs of running shoes bought
    which = "\n".join(r.get("text", "") for r in replies)
    assert "好几个都是「鞋子」" in which and "不用输入订单号" not in which
    offered = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert offered[:2] == ["HP20241301", "HP20241302"]  # both offered again, first
    assert "格式" not in zhang_app.say("HP20241301")


def test_a_lesson_named_by_words_of_two_lessons_is_asked_which(zhang_app: AppConversation) -> None:
    zhang_app.say("我要给孩子请假")
    which = zhang_app.say("就是阅读那个")  # two English reading lessons listed
    assert "好几个都是「阅读」" in which and "没有找到这节课" not in which
    replies = zhang_app.send("谢谢啦")  # no lesson named: asked kindly to pick one
    thanks = texts(replies)
    assert "不客气" in thanks and "没有找到这节课" not in thanks
    assert any(reply.get("buttons") for reply in replies)  # the lessons to pick from again
