"""The time question of the visit forms, with what the customer already said of the day.

"那就约周六吧" right after the list of visits, then which visit: Saturday's morning and
afternoon as buttons (was: the nearest free slots, 周六 forgotten).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import visit_questions
from actions.dates import CHINA_TZ
from actions.visit_changes import ValidateVisitChangeForm
from actions.visit_parsing import day_said, parse_visit_slot, period_said
from actions.visit_questions import ActionAskVisitTime
from actions.visit_times import order_options, slot_problem
from zhike.common.topic_names import TWO_STAGE_FALLBACK
from zhike.lib.backend_client.visits.domain import VisitOptions

from .conftest import Turn

DOMAIN: dict = {}
NOW = datetime(2024, 12, 4, 10, 0, tzinfo=CHINA_TZ)  # a Wednesday


def test_the_day_said_last_without_a_half_day_is_the_one_to_offer() -> None:
    saturday = date(2024, 12, 7)
    assert day_said(["那就约周六吧", "SV20240003"], NOW) == saturday
    assert day_said(["那就约周六吧", "周六下午"], NOW) is None  # a full slot, later
    assert day_said(["周末能上门吗"], NOW) is None  # the weekend's own question
    assert day_said(["改个时间"], NOW) is None


def _visit_change(zhang: Turn, *said: str) -> object:
    tracker = zhang(said[-1], requested_slot="visit_time", visit_order_id="HP20241406")
    tracker.events[-1:-1] = [
        *({"event": "user", "text": text} for text in said[:1]),
        {"event": "active_loop", "name": "visit_change_form"},
        *({"event": "user", "text": text} for text in said[1:-1]),
    ]
    tracker.active_loop = {"name": "visit_change_form"}
    return tracker


async def test_the_day_named_before_the_visit_was_picked_is_offered_by_half_days(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    options = await order_options(zhang(), "HP20241406")
    assert options is not None and options.free_slots
    day = options.free_slots[0].day  # a day with a free half-day
    named = f"那就约{day.month}月{day.day}号吧"
    await ActionAskVisitTime().run(dispatcher, _visit_change(zhang, named, "SV20240003"), DOMAIN)
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_visit_time_day"
    titles = [button["title"] for button in question["buttons"]]
    assert titles and all(f"{day.month}月{day.day}日" in title for title in titles)


async def test_a_day_with_no_free_half_day_is_said_to_be_full(
    zhang: Turn, dispatcher: CollectingDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = await order_options(zhang(), "HP20241406")
    assert options is not None and options.free_slots
    day = options.free_slots[0].day
    booked_up = replace(options, free_slots=tuple(s for s in options.free_slots if s.day != day))

    async def fewer(tracker: object, order_id: str | None) -> VisitOptions:
        return booked_up

    monkeypatch.setattr(visit_questions, "order_options", fewer)
    said = f"{day.month}月{day.day}号吧"
    await ActionAskVisitTime().run(dispatcher, _visit_change(zhang, said, "SV20240003"), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_visit_day_full",
        "utter_ask_visit_time",
    ]
    assert dispatcher.messages[0]["day"].startswith(f"{day.month}月{day.day}日")


async def test_a_day_after_the_nearest_free_slots_is_offered_both_half_days(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    options = await order_options(zhang(), "HP20241406")
    assert options is not None and options.free_slots
    later = max(slot.day for slot in options.free_slots) + timedelta(days=2)
    said = f"那就约{later.month}月{later.day}号吧"
    await ActionAskVisitTime().run(dispatcher, _visit_change(zhang, said, "SV20240003"), DOMAIN)
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_visit_time_day"
    titles = [button["title"] for button in question["buttons"]]
    assert len(titles) == 2 and all(f"{later.month}月{later.day}日" in t for t in titles)


async def test_a_half_day_after_the_nearest_free_slots_is_not_called_full(zhang: Turn) -> None:
    """The backend lists the 10 nearest free half-days: "下周六上午" was 「已经约满了」."""
    options = await order_options(zhang(), "HP20241406")
    assert options is not None and options.free_slots
    listed = max(slot.day for slot in options.free_slots)
    today = options.earliest - timedelta(days=1)
    assert slot_problem(options, listed + timedelta(days=2), "am", today) is None
    taken = next(
        (d, p)
        for d in (options.earliest + timedelta(days=n) for n in range(10))
        for p in ("am", "pm")
        if all((s.day, s.period) != (d, p) for s in options.free_slots)
    )  # a half-day among the listed ones that has no room left
    problem = slot_problem(options, *taken, today)
    assert problem is not None and problem[0] == "utter_visit_slot_full"


def test_a_half_day_named_without_a_day_is_kept() -> None:
    """ "能改到下午吗", "2点以后都行": the afternoon, the day still to be chosen."""
    assert period_said(["能改到下午吗"], NOW) == "pm"
    assert period_said(["能改到下午吗", "2点以后都行"], NOW) == "pm"
    assert period_said(["下午吧", "明天上午"], NOW) is None  # a full slot, later
    assert period_said(["周末下午能来吗"], NOW) is None  # the weekend's own question
    assert period_said(["改个时间"], NOW) is None
    assert period_said(["能不能早点来 我着急用", "空调那个"], NOW) is None  # sooner


async def test_the_half_day_asked_for_is_offered_and_a_number_picks_from_it(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict
) -> None:
    """The customer can't come in the morning: afternoons only, and "1" is the first one.

    "2点以后都行" was not understood (「您是想咨询…」 over the form); the "1" after it
    picks from the form's list, not from the fallback's topics.
    """
    tracker = _visit_change(zhang, "能改到下午吗", "2点以后都行")
    await ActionAskVisitTime().run(dispatcher, tracker, DOMAIN)
    [question] = dispatcher.messages
    assert question["response"] == "utter_ask_visit_time_period"
    assert question["period"].startswith("下午")
    slots = [button["payload"] for button in question["buttons"]]
    assert slots and all(slot.endswith("下午") for slot in slots)

    picked = _visit_change(zhang, "能改到下午吗", "1")
    picked.events[-1:-1] = [
        {"event": "action", "name": "visit_change_form"},
        {"event": "bot", "text": "好的，下午可以约的时段如下", "data": question},
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": "2点以后都行",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        },
        {"event": "action", "name": TWO_STAGE_FALLBACK},
        {
            "event": "bot",
            "text": "您是想咨询下面哪个问题呢？",
            "data": {"buttons": [{"title": "查看我的订单", "payload": "/list_orders"}]},
        },
        {"event": "action", "name": "action_listen"},
    ]
    form = ValidateVisitChangeForm()
    assert form.offered_option("visit_time", picked, real_domain) == {"visit_time": slots[0]}


def test_a_time_of_day_alone_asks_for_the_day_without_counting_a_failure() -> None:
    answer = parse_visit_slot("2点以后都行", NOW)
    assert (answer.day, answer.period, answer.problem) == (None, "pm", "no_date")
    assert parse_visit_slot("明天晚上8点", NOW).problem == "off_hours"
    assert parse_visit_slot("明天2点以后", NOW).period == "pm"
