"""Replies inside a form that are not its answer, as customers type them, through the app.

An urge to a confirmation or to the phone question, a go-ahead when several orders are
offered, a day without lessons, goods whose order cannot be changed, another lookup while
one asks which order, a yes to a switch of topic: each got a wrong turn before (the
parcel shown, 「不用输入订单号哦」, "没能理解", a question too many). The openings are plain
requests, so the conversations do not depend on one trained model's quirks.
"""

from __future__ import annotations

import re

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, Conversation

WEEKDAYS = "一二三四五六日"


def test_an_urge_to_the_confirmation_asks_for_it_again_not_the_parcel(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我要开发票")
    zhang_app.say("HP20241406")
    assert "确认为订单 HP20241406 开具" in zhang_app.say("个人")
    urged = zhang_app.say("能不能快点 我急着报销")
    assert "理解您着急的心情" in urged and "确认为订单 HP20241406 开具" in urged
    assert "运单号" not in urged  # before: the air conditioner's parcel
    assert "开具" in zhang_app.say("确认开票")


def test_an_urge_to_the_phone_question_is_asked_kindly(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    assert "手机号" in visitor.say("我想取消订单")
    urged = visitor.say("能不能快点 我急用")
    assert "理解您着急的心情" in urged and "手机号" in urged
    assert "先帮您处理" not in urged  # before: 「需要先帮您处理「查询物流进度」吗？」


def test_going_ahead_with_several_orders_offered_is_asked_to_pick(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("鞋子磨脚 我要退货")
    picked = zhang_app.say("好的 那就退吧")
    assert "点选" in picked and "不用输入订单号" not in picked
    assert "退款的原因" in zhang_app.say("HP20241301")


def test_going_ahead_after_the_return_policy_starts_the_return(zhang_app: AppConversation) -> None:
    buttons = zhang_app.buttons("退货运费谁出")
    assert "/request_refund" in [button["payload"] for button in buttons]
    started = zhang_app.say("那帮我申请一下")  # before: 「您是想咨询 申请价保 / 查看我的订单」
    assert "哪一笔订单" in started


def test_a_day_without_lessons_to_take_leave_from_is_told(zhang_app: AppConversation) -> None:
    lessons = zhang_app.buttons("我想请个假")
    taught = {match for b in lessons for match in re.findall(r"周([一二三四五六日])", b["title"])}
    free = next(day for day in WEEKDAYS if day not in taught)
    said = zhang_app.say(f"这周{free}的")  # before: "没能理解", with a person offered
    assert f"周{free}）没有找到要调整的课" in said and "哪一节课" in said
    assert "转人工" not in said


def test_goods_whose_order_cannot_change_address_are_told_why(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("我要改收货地址")
    said = zhang_app.say("就是那个手机")  # the phones have shipped or arrived
    assert "HP20240001" in said and "不能办理" in said
    assert "不用输入订单号" not in said


def test_another_lookup_while_asked_which_parcel_starts_at_once(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我上周买的坚果到哪了")
    switched = zhang_app.say("快递员的电话是多少")
    assert "哪一笔订单" in switched and "先帮您处理" not in switched
    assert "快递员" in zhang_app.say("HP20240001")


def test_a_yes_to_a_switch_starts_the_new_request_without_a_wrong_turn(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我要退款")
    assert "先帮您处理「取消订单」" in zhang_app.say("我要取消订单")
    started = zhang_app.say("好的谢谢")
    assert "哪一笔订单" in started and "不用输入订单号" not in started
    assert "确认要取消订单 HP20241204" in zhang_app.say("HP20241204")


def test_a_pair_named_by_its_size_is_that_order(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("鞋子小了想换大一码")
    picked = zhang_app.say("42码那双")  # before: 「订单号格式好像不太对」
    assert "格式" not in picked and "哪一笔订单" not in picked


def test_whether_the_order_just_shown_can_be_invoiced_offers_its_invoice(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("订单编号：HP20240002 订单金额：¥89.00 下单时间：2024-11-20")
    buttons = zhang_app.buttons("这个能开票吗")
    assert any(b["payload"].startswith("/request_invoice") for b in buttons)


def test_a_visit_time_said_before_the_order_is_kept(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("空调到了 什么时候能来装")
    noted = zhang_app.say("明天下午行不行")  # before: 「您是想咨询 课程请假/调课 …」
    assert "先帮您记下了" in noted and "哪一笔订单" in noted
    booked = zhang_app.say("HP20241401")
    assert "哪天上门" not in booked  # the time is not asked again


def test_a_lesson_with_a_request_already_is_told_before_any_confirmation(
    zhang_app: AppConversation,
) -> None:
    lesson = zhang_app.buttons("我想请个假")[-1]  # the furthest: well before its cut-off
    assert "确认提交" in zhang_app.say(lesson["payload"])
    assert "已为您提交" in zhang_app.say("确认提交")
    listed = zhang_app.buttons("我想请个假")
    assert listed and lesson["payload"] not in [b["payload"] for b in listed]  # not offered
    again = zhang_app.say(lesson["payload"])  # its id sent all the same
    assert "已经提交过" in again and "确认提交" not in again  # before: asked, then refused


def test_why_the_child_cannot_come_is_noted_while_the_lesson_is_asked(
    zhang_app: AppConversation,
) -> None:
    assert "哪一节课" in zhang_app.say("我想请个假")
    replies = zhang_app.send("孩子发烧了")  # before: 「没有找到这节课哦」
    noted = "\n".join(r.get("text", "") for r in replies)
    assert "早日康复" in noted and "没有找到" not in noted and "哪一节课" in noted
    lessons = [b for r in replies for b in r.get("buttons", [])]
    assert "确认提交" in zhang_app.say(lessons[-1]["payload"])


def test_a_request_said_when_asked_for_the_companys_name_is_no_title(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要开发票")
    assert "抬头" in zhang_app.say("HP20241406")
    assert "公司名称" in zhang_app.say("公司")
    said = zhang_app.say("发我邮箱吧")  # before: taken for the title, the tax number asked
    assert "纳税人识别号" not in said and "公司名称" in said


def test_invoice_details_given_when_asked_which_order_are_kept(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("我想开个发票")
    noted = zhang_app.say("公司的 上海智客科技有限公司")  # was: 「不用输入订单号哦」
    assert "上海智客科技有限公司" in noted and "记下" in noted
    noted = zhang_app.say("税号91350100M000100Y43")  # was: 「这个订单号格式好像不太对」
    assert "税号" in noted and "格式" not in noted
    # the title and the tax number are not asked (HP20240002 is invoiced already: told at once)
    confirm = zhang_app.say("HP20240003")
    assert "确认为订单 HP20240003" in confirm and "上海智客科技有限公司" in confirm


def test_going_on_after_a_question_in_passing_is_no_refund_reason(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要退款")
    assert "退款的原因" in zhang_app.say("HP20240002")
    aside = zhang_app.say("稍等 我先问下 退款会退到哪里")
    assert "原路" in aside and "退款的原因" in aside  # answered, the reason asked again
    again = zhang_app.say("哦好的 那继续吧")  # was: the refund's reason, then confirmed
    assert "确认为订单" not in again and "退款原因：哦好的" not in again
    confirm = zhang_app.say("质量问题")
    assert "确认为订单 HP20240002 申请退款" in confirm and "质量问题" in confirm


def test_the_new_address_given_before_the_order_is_kept(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("我要改收货地址")
    noted = zhang_app.say("上海市浦东新区张江路88号 李明")  # before: 「订单号格式好像不太对」
    assert "先帮您记下了" in noted and "哪一笔订单" in noted
    assert "确认将订单 HP20241204 的收货地址修改为" in zhang_app.say("HP20241204")


def test_my_own_orders_after_someone_elses_number(zhang_app: AppConversation) -> None:
    assert "没有查到" in zhang_app.say("帮我查下HP20240005")  # 李娜's
    own = zhang_app.say("那我自己的呢")
    assert "哪一笔订单" in own and "您是想咨询" not in own


def test_a_price_difference_paid_back_leaves_the_goods_to_return(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("买的东西降价了 能退差价不")
    assert "确认为订单 HP20240001 申请价保" in zhang_app.say("HP20240001")
    assert "价保申请成功" in zhang_app.say("确定")
    asked = zhang_app.say("那我要退货")  # the order just protected, in focus
    assert (
        "退款的原因" in asked and "已经有一笔" not in asked
    )  # before: 「已经有一笔处理中的退款申请了」


def test_when_it_comes_right_after_a_refunds_progress_is_the_money(
    zhang_app: AppConversation,
) -> None:
    assert "哪一笔订单" in zhang_app.say("退款到账了吗")
    assert "RF20240001" in zhang_app.say("HP20240004")
    when = zhang_app.say("好的 那什么时候能到")  # before: the parcel, delivered long ago
    assert "1–3 个工作日到账" in when and "运单号" not in when


def test_the_invoice_details_in_the_opening_message_are_kept(zhang_app: AppConversation) -> None:
    assert "哪一笔订单" in zhang_app.say("开发票 抬头上海智客科技有限公司 税号91350100M000100Y43")
    confirm = zhang_app.say("HP20241406")  # before: the title asked again, and "对的" taken as it
    assert "抬头：上海智客科技有限公司" in confirm
    assert "申请编号" in zhang_app.say("对的")


def test_a_yes_to_the_offer_of_a_person_hands_over(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    unclear = ("这周六的", "那个呢", "嗯嗯那个")
    for text in unclear:  # two unclear messages in a row: the robot offers a person
        said = visitor.say(text)
        if "转接人工客服吗" in said:
            break
    else:
        pytest.skip("this model understood every message: no person was offered")
    handed = visitor.say("确定")  # before: 「还有其他可以帮您的吗？」
    assert "还有其他可以帮您的吗" not in handed and ("工单" in handed or "人工" in handed)


def test_a_switch_pointing_at_the_order_keeps_it(zhang_app: AppConversation) -> None:
    assert "确认要取消订单 HP20241204" in zhang_app.say("帮我取消订单HP20241204")
    assert "修改收货地址" in zhang_app.say("等一下 先别取消 这个能改地址吗")
    asked = zhang_app.say("好")  # before: which order, though "这个" named it
    assert "新的收货地址" in asked and "哪一笔订单" not in asked


def test_whether_a_shipped_order_can_be_cancelled_is_answered_at_once(
    zhang_app: AppConversation,
) -> None:
    assert "已发货" in zhang_app.say("HP20240001")
    said = zhang_app.say("能取消吗")  # before: a 「取消订单」 button, which then said no
    assert "拒收" in said and "办理以下业务" not in said


def test_another_reason_said_to_the_refund_confirmation_changes_it(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要退款")
    zhang_app.say("HP20240002")
    confirm = zhang_app.say("不想要了")
    assert "确认为订单 HP20240002 申请退款" in confirm
    changed = zhang_app.say("不对 其实是质量问题")  # was: 「没能理解」, or taken as a no
    assert "退款原因：质量问题" in changed and "确认为订单 HP20240002" in changed
    assert "退款申请已提交" in zhang_app.say("确认")


def test_not_wanting_a_shipped_order_after_asking_about_it_offers_the_ways_out(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("HP20240001怎么还没到 帮我催一下")
    ways = zhang_app.send("那算了 我不要了")  # was: 「好的～如果还有其他问题…」
    text = "\n".join(reply.get("text", "") for reply in ways)
    titles = [button["title"] for reply in ways for button in reply.get("buttons", [])]
    assert "HP20240001 已经发货了" in text and "拦截" in text
    assert titles == ["拦截快递/退回包裹", "申请退款/退货"]
    assert "确认为订单 HP20240001 申请拦截包裹" in zhang_app.say("那拦截吧")
