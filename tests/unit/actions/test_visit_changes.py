"""Changing, cancelling and following a booked visit (actions/visit_changes.py), 张伟 C001."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.visit_changes import (
    ActionCancelVisit,
    ActionRescheduleVisit,
    ActionVisitStatus,
    ValidateVisitCancelForm,
    ValidateVisitChangeForm,
)
from actions.visit_parsing import shift_days
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn
from .test_visits import DOMAIN, china_day, responses


async def test_a_visit_is_changed_cancelled_and_followed(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    change = ValidateVisitChangeForm()
    several = zhang("安装改到周日", "change_visit")
    assert await change.extract_visit_id(dispatcher, several, DOMAIN) == {}  # two open visits
    named = zhang("电视的安装改一下", "change_visit")
    assert await change.extract_visit_id(dispatcher, named, DOMAIN) == {"visit_id": "SV20240001"}
    valid = await change.validate_visit_id("SV20240001", dispatcher, zhang(), DOMAIN)
    assert valid["visit_order_id"] == "HP20241402"
    # "后天下午可以吗" said before the visit was picked: checked and summed up with it
    early = zhang(visit_time=f"{china_day(2)} pm")
    picked = await change.validate_visit_id("SV20240001", dispatcher, early, DOMAIN)
    assert picked["visit_time"] == f"{china_day(2)} pm"
    assert "SV20240001" in picked["visit_summary"] and "改为" in picked["visit_summary"]
    # "明天上午" typed while asked which visit is the new time, not a failed answer
    asked = zhang("后天上午", "inform", requested_slot="visit_id")
    assert await change.extract_visit_time(dispatcher, asked, DOMAIN) == {"visit_time": "后天上午"}
    tracker = zhang(visit_id="SV20240001", visit_order_id="HP20241402")
    new = await change.validate_visit_time("后天下午", dispatcher, tracker, DOMAIN)
    assert new["visit_time"] == f"{china_day(2)} pm" and "改为" in new["visit_summary"]
    await ActionRescheduleVisit().run(
        dispatcher, zhang(visit_id="SV20240001", visit_time=new["visit_time"], confirmed=True),
        DOMAIN,
    )  # fmt: skip
    assert responses(dispatcher)[-1] == "utter_visit_changed"

    await ActionVisitStatus().run(dispatcher, zhang("师傅什么时候上门", "query_visit"), DOMAIN)
    status = dispatcher.messages[-1]
    assert status["response"] == "utter_visit_status" and "SV20240001" in status["lines"]
    assert "王建国" not in status["lines"]

    cancel = await ValidateVisitCancelForm().validate_visit_id(
        "HP20241402", dispatcher, zhang(), DOMAIN
    )
    assert cancel["visit_id"] == "SV20240001" and "海信电视" in cancel["visit_summary"]
    await ActionCancelVisit().run(dispatcher, zhang(visit_id="SV20240001", confirmed=True), DOMAIN)
    assert responses(dispatcher)[-1] == "utter_visit_cancelled"
    [visit] = await backend.list_visits("C001", "HP20241402")
    assert visit.status == "cancelled"


async def test_the_visit_of_the_product_named_is_shown_and_followed_up(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "我那个空调什么时候来装啊" listed the TV too; "那能不能改到周六" asked which visit."""
    events = await ActionVisitStatus().run(
        dispatcher, zhang("你好 我那个空调什么时候来装啊", "query_visit"), DOMAIN
    )
    lines = dispatcher.messages[-1]["lines"]
    assert "SV20240003" in lines and "SV20240001" not in lines  # the AC, not the TV
    assert events == [{"event": "slot", "timestamp": None, "name": "focus_order",
                       "value": "HP20241406"}]  # fmt: skip
    then = zhang("那能不能改到周六", "change_visit", focus_order="HP20241406")
    picked = await ValidateVisitChangeForm().extract_visit_id(dispatcher, then, DOMAIN)
    assert picked == {"visit_id": "SV20240003"}
    # both open visits shown: no visit is the one in focus, the customer is asked
    both = await ActionVisitStatus().run(dispatcher, zhang("师傅什么时候上门"), DOMAIN)
    assert both == []
    unnamed = zhang("能改到周六吗", "change_visit")
    assert await ValidateVisitChangeForm().extract_visit_id(dispatcher, unnamed, DOMAIN) == {}
    # the visit named by its number: that one alone, in focus ("那天我不在家 能改吗" next)
    named = await ActionVisitStatus().run(dispatcher, zhang("SV20240003师傅啥时候来"), DOMAIN)
    assert "SV20240001" not in dispatcher.messages[-1]["lines"]
    assert named == [{"event": "slot", "timestamp": None, "name": "focus_order",
                      "value": "HP20241406"}]  # fmt: skip


async def test_the_engineer_is_said_masked(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    await ActionVisitStatus().run(
        dispatcher, zhang("HP20241402的安装什么时候", "query_visit"), DOMAIN
    )
    lines = dispatcher.messages[-1]["lines"]
    assert "王师傅" in lines and "王建国" not in lines and "已派单" in lines


async def test_no_visit_for_the_order_comes_with_the_booking_to_go_ahead_with(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "好的 那帮我约一下" after it was 「您是想咨询…」: there was nothing to go ahead with."""
    await ActionVisitStatus().run(
        dispatcher, zhang("HP20241401 空调什么时候来装", "query_visit"), DOMAIN
    )
    [said] = dispatcher.messages
    assert said["response"] == "utter_no_visits_for_order" and said["order_id"] == "HP20241401"
    assert [b["payload"] for b in said["buttons"]] == ['/book_visit{"order_id": "HP20241401"}']


async def test_another_customer_cannot_touch_a_visit(
    li_app: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    result = await ValidateVisitCancelForm().validate_visit_id(
        "SV20240001", dispatcher, li_app(), DOMAIN
    )
    assert result["form_gave_up"] is True
    assert responses(dispatcher) == ["utter_no_open_visits"]
    await ActionCancelVisit().run(dispatcher, li_app(visit_id="SV20240001", confirmed=True), DOMAIN)
    assert responses(dispatcher)[-1] == "utter_visit_not_found"
    [visit] = await backend.list_visits("C001", "HP20241402")
    assert visit.status == "assigned"


@pytest.mark.parametrize(
    ("text", "days"),
    [("好吧 那安装往后推一天", 1), ("晚两天吧", 2), ("能提前一天吗", -1), ("推迟到周六", None)],
)
def test_a_visit_moved_by_days(text: str, days: int | None) -> None:
    assert shift_days(text) == days


async def test_putting_the_visit_off_a_day_keeps_its_part_of_the_day(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    [visit] = [v for v in await backend.list_visits("C001") if v.visit_id == "SV20240001"]
    change = ValidateVisitChangeForm()
    said = zhang("好吧 那安装往后推一天", "change_visit")
    assert await change.extract_visit_time(dispatcher, said, DOMAIN) == {
        "visit_time": "好吧 那安装往后推一天"
    }
    tracker = zhang(visit_id="SV20240001", visit_order_id="HP20241402")
    new = await change.validate_visit_time("好吧 那安装往后推一天", dispatcher, tracker, DOMAIN)
    day_after = visit.day + timedelta(days=1)
    assert new["visit_time"] == f"{day_after.isoformat()} {visit.period}"
    assert "改为" in new["visit_summary"]
