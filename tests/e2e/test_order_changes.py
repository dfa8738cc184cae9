"""Cancel, change the address, refund and invoice through the real stack (app customers)."""

from __future__ import annotations

import pytest

from .conftest import AppConversation

pytestmark = pytest.mark.e2e


def test_an_unshipped_order_is_cancelled_after_a_yes(zhang_app: AppConversation) -> None:
    ask = zhang_app.say("我要取消订单HP20240003")
    assert "确认要取消订单 HP20240003" in ask
    assert "已为您取消" in zhang_app.say("/affirm")
    assert "已取消" in zhang_app.say("查下订单HP20240003的状态")


def test_a_no_keeps_the_order(zhang_app: AppConversation) -> None:
    zhang_app.say("我要取消订单HP20240003")
    assert "保留" in zhang_app.say("/deny")
    assert "等待发货" in zhang_app.say("查下订单HP20240003的状态")


def test_a_shipped_order_cannot_be_cancelled_and_the_bot_says_what_to_do(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("取消订单HP20240001")  # told at once, no confirmation asked
    assert "无法直接取消" in answer and "拒收" in answer and "确认要取消" not in answer
    assert "确认要取消" not in zhang_app.say("/affirm")


def test_another_customers_order_cannot_be_cancelled(li_app: AppConversation) -> None:
    answer = li_app.say("取消订单HP20240003")  # refused before any confirmation
    assert "没有查到订单 HP20240003" in answer and "确认要取消" not in answer
    assert "已为您取消" not in li_app.say("/affirm")


def test_the_address_of_an_unshipped_order_is_changed(zhang_app: AppConversation) -> None:
    assert "新的收货地址" in zhang_app.say("我想改一下HP20240003的收货地址")
    assert "地址好像不太完整" in zhang_app.say("北京")
    confirm = zhang_app.say("杭州市西湖区文三路398号东信大厦5楼")
    assert "确认将订单 HP20240003 的收货地址修改为" in confirm
    done = zhang_app.say("/affirm")
    assert "已修改" in done and "文三路398号东信大厦5楼" not in done  # masked in the reply


def test_a_refund_is_requested_with_a_reason_and_its_progress_asked_later(
    zhang_app: AppConversation,
) -> None:
    ask = zhang_app.send("HP20240002申请退款")
    assert any("退款的原因" in reply.get("text", "") for reply in ask)
    confirm = zhang_app.say('/inform{"refund_reason": "商品质量问题"}')
    assert "商品质量问题" in confirm
    done = zhang_app.say("/affirm")
    assert "退款申请已提交" in done and "RF" in done
    assert "HP20240002 的退款" in zhang_app.say("HP20240002的退款到哪一步了")


def test_a_second_refund_is_told_before_a_reason_is_asked(zhang_app: AppConversation) -> None:
    answer = zhang_app.send("订单HP20240004我要退款")  # already refunding
    texts = " ".join(reply.get("text", "") for reply in answer)
    assert "处理中的退款申请" in texts and "退款的原因" not in texts
    assert any("退款进度" in b["title"] for reply in answer for b in reply.get("buttons", []))
    assert "确认为订单" not in zhang_app.say("/affirm")


def test_an_out_of_policy_refund_opens_a_ticket_the_customer_can_follow(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要取消订单HP20240003")
    zhang_app.say("/affirm")
    zhang_app.say("订单HP20240003我要退款")  # cancelled: no refund by the bot
    zhang_app.say("七天无理由退货")
    answer = zhang_app.say("/affirm")
    assert "暂时无法在线申请退款" in answer and "工单 TK" in answer
    ticket = answer.split("工单 ")[1][:10]
    assert ticket in zhang_app.say(f"查一下工单{ticket}")


def test_a_company_invoice_needs_a_valid_tax_number(zhang_app: AppConversation) -> None:
    zhang_app.say("HP20240001开发票")
    assert "纳税人识别号" in zhang_app.say("杭州智客科技有限公司")
    assert "校验没有通过" in zhang_app.say("91350100M000100Y44")
    assert "确认为订单 HP20240001 开具" in zhang_app.say("91350100M000100Y43")
    assert "开票申请已提交" in zhang_app.say("/affirm")
    again = zhang_app.say("HP20240001开发票")  # was: told only after a title and a yes
    assert "已经申请过发票" in again and "抬头" not in again


def test_the_kind_of_title_and_a_tax_number_not_at_hand(zhang_app: AppConversation) -> None:
    zhang_app.say("HP20240001开发票")
    company = zhang_app.say("公司的")
    assert "完整的公司名称" in company  # not the title "公司的" ...
    assert "个人" not in company  # ... and the choice just made is not asked again
    assert "纳税人识别号" in zhang_app.say("杭州智客科技有限公司")
    later = zhang_app.say("税号还没拿到 我晚点再发你")
    assert "这次先不提交" in later and "校验没有通过" not in later
    assert "杭州智客科技有限公司" in later  # kept for the next request
    back = zhang_app.say("开发票 HP20240001 税号91350100M000100Y43")
    assert "确认为订单 HP20240001 开具" in back and "杭州智客科技有限公司" in back
    assert "开票申请已提交" in zhang_app.say("确认")


def test_a_course_question_mid_form_is_answered_and_the_form_goes_on(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我要取消订单")
    answer = zhang_app.say("孩子下节课是什么时候")
    assert "张小明" in answer and "接着办理刚才的业务" in answer and "订单" in answer
    assert "确认要取消订单 HP20240003" in zhang_app.say("HP20240003")


def test_a_faq_question_mid_form_is_answered_and_the_question_repeated(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("我想改一下HP20240003的收货地址")
    answer = zhang_app.say("下单后多久发货？")
    assert "发货" in answer and "新的收货地址" in answer
    # a question in the customer's words is no address either
    answer = zhang_app.say("等一下 我先问下你们发货用什么快递")
    assert "不太完整" not in answer and "新的收货地址" in answer
