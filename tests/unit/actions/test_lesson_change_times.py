"""A lesson change in the customer's words: which lesson, the new time, a new clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.course_changes import ValidateLessonChangeForm
from actions.lesson_change_times import changed_time, named_lesson_and_time, split_change
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 8, 12, tzinfo=SHANGHAI)  # a Tuesday
WISHED = "2026-12-12T19:00:00+08:00"  # Saturday 19:00


@pytest.mark.parametrize(
    ("text", "source", "target"),
    [
        ("周日的英语课改到下周二下午4点", "周日的英语课", "下周二下午4点"),
        ("把周五数学课调到周六上午", "把周五数学课", "周六上午"),
        ("英语课想换个时间上", "英语课想换个时间上", None),
    ],
)
def test_a_reschedule_request_splits_into_the_lesson_and_the_new_time(
    text: str, source: str, target: str | None
) -> None:
    assert split_change(text) == (source, target)


@pytest.mark.parametrize(
    ("said", "source", "target"),
    [
        (["周日的英语课改到下周二下午4点", "13800138001"], "周日的英语课", "下周二下午4点"),
        (
            ["我的课能不能换个时间", "13800138001", "下周三晚上7点"],
            "我的课能不能换个时间",
            "下周三晚上7点",
        ),
        (["我想调课", "周日的英语课", "123456"], "周日的英语课", None),
        (["我想调课", "周日的课改到周一晚上8点"], "周日的课", "周一晚上8点"),
    ],
)
def test_the_lesson_and_time_said_before_the_identity_check_ended_are_kept(
    said: list[str], source: str, target: str | None
) -> None:
    assert named_lesson_and_time(said, datetime(2026, 12, 4, 12, tzinfo=SHANGHAI)) == (
        source,
        target,
    )


def test_a_clock_at_the_confirmation_keeps_the_day_wished() -> None:
    """ "上午十点" to 「…申请调课到 12月12日（周六）19:00。确认提交吗？」: Saturday at ten."""
    assert changed_time("上午十点", WISHED, NOW) == datetime(2026, 12, 12, 10, tzinfo=SHANGHAI)
    assert changed_time("改成下午3点吧", WISHED, NOW) == datetime(2026, 12, 12, 15, tzinfo=SHANGHAI)
    sunday = changed_time("周日吧", WISHED, NOW)  # a day: the wished clock on that day
    assert sunday is not None and sunday.day == 13 and sunday.hour == 19
    assert changed_time("好的", WISHED, NOW) is None
    assert changed_time("上午十点", "周六", NOW) is None  # no day resolved yet
    assert changed_time("上午十点", None, NOW) is None


async def test_a_new_clock_at_the_confirmation_changes_the_reschedule(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateLessonChangeForm()
    lesson = (await backend.upcoming_lessons("C001", limit=10))[0]
    slots: dict[str, Any] = {
        "lesson_id": lesson.lesson_id,
        "lesson_change_kind": "reschedule",
        "lesson_change_time": "2099-01-01T19:00:00+08:00",
    }
    tracker = zhang("上午十点", requested_slot="confirmed", **slots)
    changed = await form.extract_confirmed(dispatcher, tracker, {})
    assert changed == {"lesson_change_time": "2099-01-01T10:00:00+08:00"}  # not a yes or no
    assert await form.validate_lesson_change_time(
        changed["lesson_change_time"], dispatcher, tracker, {}
    ) == {"lesson_change_time": "2099-01-01T10:00:00+08:00"}
    leave = zhang(
        "上午十点", requested_slot="confirmed", **{**slots, "lesson_change_kind": "leave"}
    )
    assert "lesson_change_time" not in await form.extract_confirmed(dispatcher, leave, {})
