"""Delivery changes through the real stack, as customers say them (app customers).

Intercept a parcel (in transit: accepted with the courier's fee; out for delivery with
中通, delivered, not shipped: refused with the reason), choose a delivery window (7 days,
slots), change the receiver's phone (masked when said back), reschedule a return pickup;
another customer's order is not found; a backend failure is an apology and a ticket.
"""

from __future__ import annotations

import pytest

from zhike.common.times import china_now
from zhike.lib.chinese_time import weekend_days
from zhike.tools.stack import Stack

from .conftest import AppConversation, clear_faults, inject_fault

pytestmark = pytest.mark.e2e


# --- interception -------------------------------------------------------------------------


def test_a_parcel_in_transit_is_intercepted_and_its_state_shown_later(
    zhang_app: AppConversation,
) -> None:
    confirm = zhang_app.say("HP20241201的快递别送了，给我拦回去")
    assert "确认为订单 HP20241201 申请拦截包裹" in confirm
    assert "10.00 元" in confirm  # the courier's fee before the yes (it was said only after)
    done = zhang_app.say("确定")
    assert "已为订单 HP20241201 提交拦截申请" in done and "DC" in done
    assert "10.00 元" in done  # 顺丰 charges for an interception
    state = zhang_app.say("HP20241201拦截成功了吗")
    assert "已经提交过拦截申请" in state and "处理中" in state


def test_a_parcel_out_for_delivery_with_a_courier_that_cannot_is_refused(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("快递别送了给我拦回去")
    assert "确认为订单 HP20241202" in zhang_app.say("HP20241202")
    answer = zhang_app.say("确认拦截")
    assert "中通不支持派送途中拦截" in answer and "拒收" in answer
    assert "提交拦截申请" not in answer


def test_delivered_and_unshipped_orders_are_told_what_to_do_instead(
    zhang_app: AppConversation,
) -> None:
    delivered = zhang_app.say("HP20241203这个快递帮我拦截一下")
    assert "已经签收" in delivered and "退货退款" in delivered and "确认" not in delivered
    unshipped = zhang_app.say("HP20241204的快递帮我拦下来")
    assert "还没有发货" in unshipped and "取消订单" in unshipped


def test_another_customers_parcel_is_not_found(li_app: AppConversation) -> None:
    answer = li_app.say("HP20241201的快递帮我拦截")
    assert "没有查到订单 HP20241201" in answer and "确认为订单" not in answer


def test_a_failing_backend_gets_an_apology_and_a_ticket(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    assert "申请拦截包裹" in zhang_app.say("HP20241207的快递半路截回来")
    inject_fault(fresh, status=503, path_prefix="/api/v1/orders/HP20241207/interceptions")
    answer = zhang_app.say("好的")
    clear_faults(fresh)
    assert "抱歉" in answer and "工单 TK" in answer


# --- delivery window ----------------------------------------------------------------------


def test_a_delivery_window_is_chosen_for_a_large_appliance(zhang_app: AppConversation) -> None:
    asked = zhang_app.say("HP20241204的空调能不能后天再送")
    assert "送达时段" in asked
    confirm = zhang_app.say("下午")
    assert "确认将订单 HP20241204 预约在" in confirm and "下午" in confirm
    done = zhang_app.say("好的")
    assert "已为订单 HP20241204 预约配送时间" in done


def test_a_day_out_of_the_window_is_asked_again_and_the_customer_can_leave(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("HP20241201能不能换个时间送")
    answer = zhang_app.say("下个月15号")
    assert "7 天内" in answer and "距今" in answer
    left = zhang_app.say("不用了")
    assert "确认将订单" not in left and "送达时段" not in left


def test_a_window_refused_by_the_rules(zhang_app: AppConversation) -> None:
    out = zhang_app.say("HP20241202能不能明天晚上送")
    assert "派送中" in out and "确认" not in out
    zhang_app.say("HP20241207预约明天晚上送")
    answer = zhang_app.say("确认预约")
    assert "不支持预约配送" in answer and "韵达" in answer


# --- receiver phone -----------------------------------------------------------------------


def test_the_receiver_phone_is_changed_and_said_back_masked(zhang_app: AppConversation) -> None:
    confirm = zhang_app.say("HP20241201收货电话写错了改成13912345678")
    assert "139****5678" in confirm and "13912345678" not in confirm
    done = zhang_app.say("确认修改")
    assert "已改为 139****5678" in done and "13912345678" not in done


def test_a_wrong_number_is_asked_again_and_a_delivered_order_refused(
    zhang_app: AppConversation,
) -> None:
    assert "手机号" in zhang_app.say("订单HP20241201的收件人电话要改一下")
    assert "不太对" in zhang_app.say("139123")
    assert "139****0000" in zhang_app.say("13900000000")
    zhang_app.say("不用了")
    delivered = zhang_app.say("HP20241203收货电话改成13912345678")
    assert "已经签收" in delivered and "确认" not in delivered


def test_changing_the_address_stays_the_address_form(zhang_app: AppConversation) -> None:
    assert "新的收货地址" in zhang_app.say("我想改一下HP20240003的收货地址")


# --- return pickup ------------------------------------------------------------------------


def test_a_return_pickup_is_moved_to_another_day(zhang_app: AppConversation) -> None:
    assert "订单号" in zhang_app.say("取件的师傅明天来不了，改到后天")
    assert "上门取件时段" in zhang_app.say("HP20241205")
    confirm = zhang_app.say("下午")
    assert "原定 京东物流" in confirm and "上午" in confirm and "下午" in confirm
    done = zhang_app.say("确认改约")
    assert "上门取件已改到" in done and "下午" in done


def test_no_pickup_to_reschedule_and_evening_pickups_refused(zhang_app: AppConversation) -> None:
    none = zhang_app.say("HP20241203的上门取件改到后天")
    assert "没有待上门取件的退货申请" in none
    zhang_app.say("HP20241205上门取件时间改一下")
    zhang_app.say("后天")
    assert "只能预约上午" in zhang_app.say("晚上")


# --- a weekend, and a window changed at the confirmation -----------------------------------


def test_a_weekend_is_asked_as_its_two_days_and_a_new_slot_changes_the_window(
    zhang_app: AppConversation,
) -> None:
    saturday, sunday = weekend_days("周末", china_now())
    asked = zhang_app.say("HP20241204的空调能改到周末送吗")
    if china_now().weekday() == 5:  # a Saturday: only tomorrow may be booked, not asked
        assert "送达时段" in asked
    else:  # was: 「没能看懂是哪一天哦」
        assert f"周六（{saturday.month}月{saturday.day}日）" in asked and "周日" in asked
        assert "送达时段" in zhang_app.say("周日吧")
    confirm = zhang_app.say("下午")
    assert f"{sunday.month}月{sunday.day}日（周日）下午" in confirm
    changed = zhang_app.say("不行 还是改成上午吧")  # was: taken as a no, nothing booked
    assert f"{sunday.month}月{sunday.day}日（周日）上午" in changed and "确认将订单" in changed
    done = zhang_app.say("确认")
    assert "已为订单 HP20241204 预约配送时间" in done and "上午" in done
