"""价保 and contacts through the real stack, as customers type (张伟 C001 in the app).

Demo orders (zhike.servers.backend.demo_price_protection): HP20241001 eligible (vivo
X100 ¥4299 -> ¥3999), HP20241002 past the 7-day window, HP20241003 lower only at a flash
sale, HP20241004 not cheaper; HP20240005 is 李娜's.
"""

from __future__ import annotations

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, clear_faults, inject_fault

pytestmark = pytest.mark.e2e


def test_an_eligible_order_is_protected_and_shows_in_the_refund_progress(
    zhang_app: AppConversation,
) -> None:
    check = zhang_app.say("我买的手机降价了能保价吗 HP20241001")
    assert "可退差价 ¥300.00" in check and "优品配件店" in check  # the case: another shop
    assert "确认为订单 HP20241001 申请价保" in check
    done = zhang_app.say("好的")
    assert "价保申请成功" in done and "¥300.00" in done and "原路退回" in done
    progress = zhang_app.say("价保进度怎么样了")
    assert "HP20241001" in progress and "退款处理中" in progress
    refund = zhang_app.say("HP20241001的退款到哪一步了")
    assert "HP20241001 的退款" in refund and "¥300.00" in refund
    again = zhang_app.say("申请价保 HP20241001")
    assert "已申请过价保" in again and "确认为订单" not in again


def test_out_of_window_is_explained_with_the_days(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241002 降价了，申请价保")
    assert "暂不符合价保条件" in answer
    assert "超过 7 天价保期（下单 12 天）" in answer and "确认为订单" not in answer


def test_a_flash_sale_price_is_not_protected(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("我前几天买的耳机现在便宜了五百，给我退差价 HP20241003")
    assert "秒杀" in answer and "不在价保范围内" in answer


def test_no_drop_needs_no_protection(zhang_app: AppConversation) -> None:
    zhang_app.say("申请价保")
    answer = zhang_app.say("HP20241004")
    assert "暂不需要价保" in answer


def test_another_customers_order_is_not_found(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("申请价保 HP20240005")
    assert "没有查到订单 HP20240005" in answer and "价保申请成功" not in answer


def test_a_rule_question_is_answered_from_the_knowledge_base(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("价保多少天")
    assert "7天" in answer and "确认为订单" not in answer


def test_backend_down_apologises_and_opens_a_ticket(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    assert "确认为订单 HP20241001" in zhang_app.say("降价了退差价 HP20241001")
    inject_fault(fresh, status=503, path_prefix="/api/v1/orders/HP20241001/price-protections")
    answer = zhang_app.say("确定")
    assert "抱歉" in answer and "工单 TK" in answer
    clear_faults(fresh)
    assert "没有价保申请记录" in zhang_app.say("价保进度")


def test_courier_contact_is_masked_and_only_while_on_the_way(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20240001 快递员电话多少")
    assert "王师傅" in answer and "138****5678" in answer and "13812345678" not in answer
    assert "转 4321" in answer
    delivered = zhang_app.say("HP20240002的快递员怎么联系")
    assert "已经签收" in delivered and "138" not in delivered


def test_another_customers_courier_is_not_found(li_app: AppConversation) -> None:
    answer = li_app.say("HP20240001 快递员电话多少")
    assert "没有查到订单 HP20240001" in answer and "王师傅" not in answer


def test_how_to_reach_the_shop(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("怎么联系商家 HP20240001")
    assert "京选客服" in answer and "闪魔数码专营店" in answer and "400-820-1234" in answer
