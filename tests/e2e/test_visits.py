"""Installation and repair visits through the real stack, as customers type (app channel).

张伟 (C001) has: HP20241401 a delivered air conditioner (nothing booked), HP20241402 a
delivered TV whose installation SV20240001 is assigned to 王建国 in three days' morning,
HP20241403 a blender (not installable), HP20241404 a TV out of warranty, HP20241405 an
air conditioner in warranty, HP20241406 one on its way (installation SV20240003 booked in
three days' morning: that slot is full).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import AppConversation, Stack, clear_faults, inject_fault

pytestmark = pytest.mark.e2e

CHINA = timezone(timedelta(hours=8))
WEEKDAYS = "一二三四五六日"


def china_day(offset: int) -> datetime:
    return datetime.now(CHINA) + timedelta(days=offset)


def typed_date(offset: int) -> str:
    """``"12月10号"`` for the day ``offset`` days from today (China time)."""
    day = china_day(offset)
    return f"{day.month}月{day.day}号"


def test_an_air_conditioner_installation_is_booked_with_a_typed_date(
    zhang_app: AppConversation,
) -> None:
    asked = zhang_app.send("空调到了什么时候能来装")
    ask = "\n".join(reply.get("text", "") for reply in asked)
    assert "订单号" in ask or "哪一笔订单" in ask
    # the goods the shop installs are offered, not 张伟's phones, paper and shoes
    offered = [button["title"] for reply in asked for button in reply.get("buttons", [])]
    assert offered and all("空调" in title or "电视" in title for title in offered), offered
    when = zhang_app.say("HP20241401")
    assert "哪天上门" in when and "上午 9:00–12:00" in when
    contact = zhang_app.say(f"{typed_date(5)}上午")
    assert "138****8001" in contact and "13800138001" not in contact
    confirm = zhang_app.say("就用这个")
    assert "请确认上门预约信息" in confirm and "格力空调上门安装" in confirm
    assert "上午 9:00–12:00" in confirm and "1202" not in confirm
    done = zhang_app.say("确认")
    assert "预约成功" in done and "SV" in done and "13800138001" not in done
    visit_id = "SV" + done.split("SV")[1][:8]
    status = zhang_app.say("师傅什么时候上门")
    assert visit_id in status and "正在为您安排师傅" in status


def test_an_order_typed_to_an_unclear_question_gets_its_visits_and_a_time_books_one(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("空调什么时候上门安装")
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    if "预约上门安装/维修" in titles:  # "您是想咨询…": the order typed instead of a pick
        replies = zhang_app.send("HP20241401")
        titles = [b["title"] for r in replies for b in r.get("buttons", [])]
        assert "预约上门安装/维修" in titles  # was: the order's status and nothing more
        booking = zhang_app.say("明天下午可以吗")  # was: "您是想咨询…" about a delivery
    else:  # a model sure of the booking asks which order first
        zhang_app.say("HP20241401")
        booking = zhang_app.say("明天下午可以吗")
    assert "您是想咨询" not in booking and "配送" not in booking
    assert "还是上门维修" not in booking  # 安装 was said in the message asked about
    assert "哪天上门" not in booking and "师傅将按以下信息上门" in booking  # the time kept


def test_a_full_slot_offers_the_nearest_free_ones_and_tomorrow_works(
    zhang_app: AppConversation,
) -> None:
    zhang_app.say("HP20241401预约安装")
    full = zhang_app.say(f"{typed_date(3)}上午")  # two visits there already
    assert "已经约满" in full and "最近可约" in full
    assert "师傅将按以下信息上门" in zhang_app.say("明天上午")


def test_a_visit_is_moved_to_another_day(zhang_app: AppConversation) -> None:
    day = china_day(5)
    confirm = zhang_app.say(f"HP20241402的安装改到周{WEEKDAYS[day.weekday()]}下午")
    assert "SV20240001" in confirm and f"{day.month}月{day.day}日" in confirm
    assert "改约成功" in zhang_app.say("确认改约")
    assert f"{day.month}月{day.day}日" in zhang_app.say("师傅什么时候上门")


def test_a_new_time_right_after_the_list_of_visits_moves_the_one_picked(
    zhang_app: AppConversation,
) -> None:
    listed = zhang_app.say("我预约的上门安装是什么时候")
    assert "SV20240001" in listed and "SV20240003" in listed
    day = china_day(5)
    which = zhang_app.say(f"{typed_date(5)}下午可以吗")  # a new time for one of them
    assert "哪一个上门预约" in which
    confirm = zhang_app.say("电视那个")
    # the time said before the visit was picked is the one confirmed, with the visit
    assert "SV20240001" in confirm and f"{day.month}月{day.day}日" in confirm and "下午" in confirm
    assert "改约成功" in zhang_app.say("确认改约")


def test_a_visit_is_picked_then_cancelled(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("不装了取消预约")
    assert "哪一个上门预约" in "".join(reply.get("text", "") for reply in replies)
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons", [])]
    assert payloads == ["SV20240003", "SV20240001"]  # the open visits, newest booked first
    confirm = zhang_app.say("电视那个")
    assert "确认取消预约单 SV20240001" in confirm
    assert "已为您取消" in zhang_app.say("确定")
    assert "已取消" in zhang_app.say("HP20241402的安装什么时候")


def test_the_status_names_the_engineer_masked(zhang_app: AppConversation) -> None:
    status = zhang_app.say("师傅什么时候上门")
    assert "SV20240001" in status and "王师傅" in status and "王建国" not in status


def test_a_product_that_needs_no_installation(zhang_app: AppConversation) -> None:
    answer = zhang_app.say("HP20241403预约安装")
    assert "不需要上门安装" in answer and "哪天上门" not in answer


def test_out_of_warranty_is_explained_and_a_paid_repair_offered(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("HP20241404电视坏了没画面要报修")
    assert "超过了 365 天的保修期" in answer and "付费" in answer
    assert "取消" in zhang_app.say("不用了")


def test_a_repair_in_warranty_is_booked(zhang_app: AppConversation) -> None:
    when = zhang_app.say("HP20241405空调不制冷了要报修")
    assert "哪天上门" in when
    zhang_app.say("后天下午")
    confirm = zhang_app.say("就用这个")
    assert "上门维修" in confirm and "不制冷" in confirm
    assert "预约成功" in zhang_app.say("好的")


def test_another_customers_order_is_not_found(li_app: AppConversation) -> None:
    answer = li_app.say("HP20241401预约安装")
    assert "没有查到订单 HP20241401" in answer and "哪天上门" not in answer


def test_the_installation_fee_stays_a_knowledge_base_question(
    zhang_app: AppConversation,
) -> None:
    answer = zhang_app.say("安装收费吗")
    assert "免费上门安装" in answer


def test_backend_down_apologises_with_a_ticket(fresh: Stack, zhang_app: AppConversation) -> None:
    zhang_app.say("HP20241401预约安装")
    zhang_app.say("明天下午")
    assert "请确认上门预约信息" in zhang_app.say("就用这个")
    inject_fault(fresh, status=503, path_prefix="/api/v1/orders/HP20241401/visits")
    answer = zhang_app.say("确认预约")
    assert "抱歉" in answer and "工单 TK" in answer
    clear_faults(fresh)


def test_a_weekend_visit_is_offered_the_weekends_free_slots(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("HP20241401周末能上门安装空调吗")  # was: the nearest slots
    text = "\n".join(reply.get("text", "") for reply in replies)
    titles = [button["title"] for reply in replies for button in reply.get("buttons", [])]
    assert "周末可以上门" in text
    assert titles and all("周六" in title or "周日" in title for title in titles)
    assert "师傅将按以下信息上门" in zhang_app.say(titles[-1])
