"""The online-school half of the demo data set (see :mod:`zhike.servers.backend.demo_data`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

Row = dict[str, Any]
DemoData = dict[str, list[Row]]

CHINA_TZ = timezone(timedelta(hours=8), "CST")  # mainland China has no daylight saving


WEDNESDAY, FRIDAY = 2, 4  # datetime.weekday()


def _next(day: datetime, weekday: int) -> datetime:
    """The first date after ``day`` that falls on ``weekday``."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def school_data(now: datetime) -> DemoData:
    """Students, courses, enrollments, weekly lessons and one (approved) leave request.

    Lessons are weekly: 初二数学（秋季班） on Wednesdays (19:00 China time) and 英语阅读提高班 on
    Fridays (10:00), the next of each after ``now``'s date in China (on a Monday two and four
    days after). Customers and tests name the lessons by weekday ("下周三的数学课"), so the
    weekday stays whatever the day (it was two days after ``now``: Wednesday only on Mondays).
    """
    local_today = now.astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    week = timedelta(days=7)

    def weekly(
        course: str, teacher: str, first: datetime, past: int, future: int, minutes: int
    ) -> list[Row]:
        rows = []
        for index in range(-past, future):
            start = first + index * week
            rows.append(
                {
                    "id": f"{course}-{start.astimezone(CHINA_TZ):%Y%m%d}",
                    "course_id": course,
                    "start_at": start.astimezone(timezone.utc),
                    "end_at": (start + timedelta(minutes=minutes)).astimezone(timezone.utc),
                    "teacher": teacher,
                    "status": "completed" if index < 0 else "scheduled",
                }
            )
        return rows

    math_next = _next(local_today, WEDNESDAY) + timedelta(hours=19)  # 19:00-20:30 China time
    english_next = _next(local_today, FRIDAY) + timedelta(hours=10)  # 10:00-11:30 China time
    math = weekly("CS001", "王老师", math_next, past=2, future=4, minutes=90)
    english = weekly("CS002", "陈老师", english_next, past=1, future=3, minutes=90)
    return {
        "students": [
            {"id": "S001", "customer_id": "C001", "name": "张小明", "grade": "初二"},
            {"id": "S002", "customer_id": "C002", "name": "李小雨", "grade": "初一"},
        ],
        "courses": [
            {
                "id": "CS001",
                "name": "初二数学（秋季班）",
                "teacher": "王老师",
                "subject": "数学",
                "schedule": "每周一次 19:00-20:30",
            },
            {
                "id": "CS002",
                "name": "英语阅读提高班",
                "teacher": "陈老师",
                "subject": "英语",
                "schedule": "每周一次 10:00-11:30",
            },
        ],
        "enrollments": [
            {
                "student_id": "S001",
                "course_id": "CS001",
                "status": "active",
                "enrolled_at": now - timedelta(days=30),
            },
            {
                "student_id": "S001",
                "course_id": "CS002",
                "status": "active",
                "enrolled_at": now - timedelta(days=20),
            },
            {
                "student_id": "S002",
                "course_id": "CS002",
                "status": "active",
                "enrolled_at": now - timedelta(days=15),
            },
        ],
        "lessons": math + english,
        "lesson_requests": [
            {
                "id": "LR20240001",
                "lesson_id": math[1]["id"],
                "student_id": "S001",
                "kind": "leave",
                "requested_start_at": None,
                "reason": "学校组织春游，请假一次",
                "status": "approved",
                "created_at": math[1]["start_at"] - timedelta(days=2),
            },
        ],
    }
