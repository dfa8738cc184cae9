"""Exchanges (换货) and disputed returns through the real stack, as customers speak.

张伟 (C001) in the app owns the demo orders HP20241301-HP20241306 (see
zhike.servers.backend.demo_exchanges); 李娜 (C002) must not see them.
"""

from __future__ import annotations

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, clear_faults, inject_fault

pytestmark = pytest.mark.e2e


def test_a_size_exchange_is_confirmed_by_typing_and_followed(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("鞋子小了想换大一码")
    confirm = zhang_app.say("HP20241301")
    assert "黑色 42 码 换成 黑色 43 码" in confirm and "确认申请换货吗" in confirm
    done = zhang_app.say("确定")
    assert "换货申请已提交" in done and "EX" in done and "上门取件" in done
    assert "碧波路 690 弄" not in done  # the pickup address is masked
    assert "上门取件" in zhang_app.say("换货到哪一步了")


def test_an_exchange_after_the_window_is_explained(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241302的鞋子小了，想换大一码")
    assert "已签收 20 天，超过 15 天换货期" in answer
    assert "确认申请换货" not in answer


def test_food_cannot_be_exchanged(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241303这单坚果我要换货")
    assert "属于食品" in answer and "不支持换货" in answer
    assert "确认申请换货" not in answer


def test_an_out_of_stock_size_offers_the_sizes_in_stock(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241301鞋码小了，换44码")
    assert "黑色 44 码暂时缺货" in answer and "黑色 43 码" in answer
    confirm = zhang_app.say("那就43码吧")
    assert "换成 黑色 43 码" in confirm and "确认申请换货吗" in confirm
    assert "暂不为订单 HP20241301 换货" in zhang_app.say("不用了")


def test_a_broken_kettle_is_exchanged_for_a_new_one(zhang_app: AppConversation) -> None:
    confirm = zhang_app.say("收到的电水壶是坏的能换个新的吗")
    assert "订单" in confirm
    confirm = zhang_app.say("HP20241304")
    assert "全新的同款" in confirm and "确认申请换货吗" in confirm
    assert "换货申请已提交" in zhang_app.say("好的")


def test_a_size_given_when_asked_which_order_is_the_size_wanted(
    zhang_app: AppConversation,
) -> None:
    asked = zhang_app.say("鞋子码数小了 想换大一码")
    assert "哪一笔订单" in asked  # both pairs (42 and 43) are listed
    confirm = zhang_app.say("43码")  # the size wanted, not the pair in 43 (past its window)
    assert "HP20241301" in confirm and "黑色 42 码 换成 黑色 43 码" in confirm
    assert "超过 15 天换货期" not in confirm


def test_a_new_one_asked_for_the_kettle_just_named_keeps_kettle_and_fault(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("你好 我上周买的那个电热水壶用了两次就不加热了")
    confirm = zhang_app.say("能换个新的吗")  # typed, not the button offered
    assert "HP20241304" in confirm and "全新的同款" in confirm and "确认申请换货吗" in confirm


def test_the_progress_of_a_reshipped_exchange(zhang_app: AppConversation) -> None:
    zhang_app.say("换货进度")
    answer = zhang_app.say("HP20241305")
    assert "EX20241301" in answer and "顺丰" in answer and "SF7700112233" in answer


def test_a_disputed_return_becomes_a_ticket_with_the_evidence(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("退货被商家拒收了，我不认可")
    ask = zhang_app.say("HP20241306")
    assert "说明一下情况" in ask
    confirm = zhang_app.say(
        "质检说有使用痕迹，我根本没用过，包装都没拆，照片 https://img.example.com/box.jpg"
    )
    assert "确认提交申诉吗" in confirm
    done = zhang_app.say("确认提交")
    assert "工单号 TK" in done and "1 张图片" in done and "24 小时" in done
    ticket = done.split("工单号 ")[1][:10]
    assert ticket in zhang_app.say(f"查一下工单{ticket}")


def test_another_customers_order_is_not_found(li_app: AppConversation) -> None:
    answer = li_app.say("HP20241301鞋子小了想换大一码")
    assert "没有查到订单 HP20241301" in answer and "确认申请换货" not in answer
    li_app.say("不用了")
    answer = li_app.say("HP20241306退货被驳回，我要申诉")
    assert "没有查到订单 HP20241306" in answer


def test_the_backend_down_is_an_apology_and_a_ticket(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    zhang_app.say("HP20241304的水壶不加热了，换个新的")
    inject_fault(fresh, error=True, path_prefix="/api/v1/orders/HP20241304/exchanges")
    answer = zhang_app.say("确认换货")
    clear_faults(fresh)
    assert "抱歉" in answer and "登记工单 TK" in answer
    assert "没有换货记录" in zhang_app.say("HP20241304换货进度")


def test_a_refunding_order_is_told_so_and_asking_again_offers_a_person(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("HP20240004这个料理机我想换货")  # its refund is in progress
    assert "正在退款中" in answer and "签收后" not in answer
    again = zhang_app.send("我就是想换一个新的")
    text = "\\n".join(r.get("text", "") for r in again)
    assert "正在退款中" not in text  # not the same refusal word for word
    assert any(b["title"] == "转人工客服" for r in again for b in r.get("buttons", []))
