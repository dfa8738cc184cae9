"""Invoice changes, re-sending and status through the real stack, as customers type them."""

from __future__ import annotations

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, clear_faults, inject_fault

pytestmark = pytest.mark.e2e


def test_a_personal_title_becomes_a_company_after_a_mistyped_tax_number(
    zhang_app: AppConversation,
) -> None:
    assert "新的发票抬头" in zhang_app.say("HP20241101的发票抬头开错了，要改成公司的")
    # a question while the title is asked is no title: answered (and the title asked
    # again), or, where the models disagree on it, asked about with the invoice entry
    replies = zhang_app.send("等下 我先问下专票能开吗")
    said = "\n".join(
        [r.get("text") or "" for r in replies]
        + [b["title"] for r in replies for b in r.get("buttons", [])]
    )
    assert "纳税人识别号" not in said and "发票" in said
    assert "纳税人识别号" in zhang_app.say("杭州智客科技有限公司")
    assert "校验没有通过" in zhang_app.say("91350100M000100Y44")  # one character off
    confirm = zhang_app.say("91350100M000100Y43")
    assert "请确认" in confirm and "杭州智客科技有限公司" in confirm
    done = zhang_app.say("确认")
    assert "已为您提交申请" in done and "IC" in done and "只能修改一次" in done
    assert "换开中" in zhang_app.say("HP20241101的发票开好了没")


def test_a_vat_invoice_asks_for_the_missing_bank_details(zhang_app: AppConversation) -> None:
    assert "注册地址和电话" in zhang_app.say("帮我把HP20241103的普票换成专票")
    assert "开户银行和银行账号" in zhang_app.say("上海市浦东新区张江路88号 021-58888888")
    assert "不完整" in zhang_app.say("招商银行上海张江支行")  # the account is missing
    confirm = zhang_app.say("招商银行上海张江支行 6214 8312 3456 7890")
    assert "增值税专用发票" in confirm and "尾号 7890" in confirm
    assert "已为您提交申请" in zhang_app.say("好的")


def test_a_second_title_change_is_refused_with_the_reason(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241102的发票抬头开错了，要改成个人")
    assert "只能修改一次" in answer and "新的发票抬头" not in answer


def test_an_issued_invoice_is_sent_to_an_email_and_the_status_says_where(
    zhang_app: AppConversation,
) -> None:
    confirm = zhang_app.say("HP20241101的发票发我邮箱 zhangwei@qq.com")
    assert "zhangwei@qq.com" in confirm and "确认" in confirm
    assert "重新发送到" in zhang_app.say("好的")
    status = zhang_app.say("HP20241101的发票开好了没")
    assert "已开具" in status and "zh****@qq.com" in status


def test_an_invoice_not_issued_yet_cannot_be_resent(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("重新发一下HP20241104的发票")
    assert "还没有开具完成" in answer and "邮箱" not in answer.split("：")[0]


def test_the_status_is_asked_for_an_order_named_afterwards(zhang_app: AppConversation) -> None:
    assert "订单" in zhang_app.say("我的发票开好了没")
    assert "开具中" in zhang_app.say("HP20241104")


def test_a_paper_invoice_is_mailed_and_the_address_is_masked(zhang_app: AppConversation) -> None:
    ask = zhang_app.say("HP20241101我要纸质发票，寄到北京市朝阳区建国路93号1505室")
    assert "收件人" in ask
    confirm = zhang_app.say("张伟 13800138001")
    assert "纸质发票" in confirm and "138****8001" in confirm and "建国路93号" not in confirm
    done = zhang_app.say("确认修改")
    assert "已为您提交申请" in done and "13800138001" not in done


def test_an_order_without_invoice_is_offered_a_request(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241106的发票要改抬头")
    assert "还没有申请过发票" in answer
    assert "个人" in zhang_app.say("/request_invoice")  # the invoice form asks for the title


def test_a_cancelled_orders_invoice_cannot_change(zhang_app: AppConversation) -> None:
    assert "已取消" in zhang_app.say("HP20241105的发票改成纸质的")


def test_another_customers_order_is_not_found(li_app: AppConversation) -> None:
    answer = li_app.say("HP20241101的发票抬头开错了，要改成公司的")
    assert "没有查到订单 HP20241101" in answer and "新的发票抬头" not in answer


def test_a_backend_down_gets_an_apology_and_a_ticket(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    zhang_app.say("HP20241101的发票抬头开错了，要改成公司的")
    zhang_app.say("杭州智客科技有限公司")
    assert "请确认" in zhang_app.say("91350100M000100Y43")
    inject_fault(fresh, status=503, path_prefix="/api/v1/orders/HP20241101/invoice")
    answer = zhang_app.say("确认")
    clear_faults(fresh)
    assert "抱歉" in answer and "工单 TK" in answer
