"""Students, lessons, leave/reschedule requests, enrollments and notifications (real process)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from .rest import Api, error_of

pytestmark = pytest.mark.integration


def lessons(api: Api, customer_id: str = "C001", query: str = "") -> list[dict[str, object]]:
    found: list[dict[str, object]] = api.ok("GET", f"/customers/{customer_id}/lessons{query}")[
        "lessons"
    ]
    return found


def next_lesson_id(api: Api, course_id: str = "CS001", customer_id: str = "C001") -> str:
    return next(
        str(x["lesson_id"]) for x in lessons(api, customer_id) if x["course_id"] == course_id
    )


def test_students_with_enrollments(api: Api) -> None:
    [student] = api.ok("GET", "/customers/C001/students")["students"]
    assert (student["student_id"], student["customer_id"], student["name"]) == (
        "S001",
        "C001",
        "张小明",
    )
    courses = {e["course_name"]: e for e in student["enrollments"]}
    assert courses["初二数学（秋季班）"]["teacher"] == "王老师"
    assert courses["英语阅读提高班"]["status"] == "active"
    assert all(e["schedule"] and e["enrolled_at"].endswith("+00:00") for e in courses.values())
    [other] = api.ok("GET", "/customers/c002/students")["students"]
    assert (other["student_id"], other["name"]) == ("S002", "李小雨")
    assert [e["course_id"] for e in other["enrollments"]] == ["CS002"]
    assert error_of(api.get("/customers/C404/students")) == (404, "customer_not_found")


def test_upcoming_lessons_soonest_first(api: Api) -> None:
    found = lessons(api)
    assert len(found) == 5
    starts = [str(lesson["start_at"]) for lesson in found]
    assert starts == sorted(starts)
    now = datetime.now(timezone.utc)
    assert all(datetime.fromisoformat(start) > now for start in starts)
    assert {lesson["course_id"] for lesson in found} == {"CS001", "CS002"}
    assert all(
        lesson["student_name"] == "张小明" and lesson["status"] == "scheduled" for lesson in found
    )
    math = next(lesson for lesson in found if lesson["course_id"] == "CS001")
    assert math["teacher"] == "王老师" and math["course_name"] == "初二数学（秋季班）"
    assert math["request_status"] is None
    assert lessons(api, query="?limit=2") == found[:2]
    assert lessons(api, query="?limit=50&student_id=s001")[:5] == found
    c002 = lessons(api, "C002")
    assert c002 and all((x["student_id"], x["course_id"]) == ("S002", "CS002") for x in c002)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?limit=0", (400, "invalid_limit")),
        ("?limit=51", (400, "invalid_limit")),
        ("?limit=five", (400, "invalid_limit")),
        ("?student_id=S002", (404, "not_found")),  # C002's student
        ("?student_id=S999", (404, "not_found")),
        ("?student_id=bad", (400, "invalid_student_id")),
    ],
)
def test_lesson_query_refusals(api: Api, query: str, expected: tuple[int, str]) -> None:
    assert error_of(api.get(f"/customers/C001/lessons{query}")) == expected


def test_leave_request(api: Api) -> None:
    lesson_id = next_lesson_id(api)
    body = {"customer_id": "C001", "student_id": "S001", "kind": "leave", "reason": "发烧"}
    request = api.ok("POST", f"/lessons/{lesson_id}/requests", body, 201)
    assert re.fullmatch(r"LR\d{8}", request["request_id"]) and request["request_id"] != "LR20240001"
    assert (request["lesson_id"], request["kind"], request["status"], request["reason"]) == (
        lesson_id,
        "leave",
        "pending",
        "发烧",
    )
    assert request["requested_start_at"] is None
    mine = next(x for x in lessons(api) if x["lesson_id"] == lesson_id)
    assert mine["request_status"] == "pending"
    for kind in ("leave", "reschedule"):
        again = {**body, "kind": kind, "requested_start_at": request["created_at"]}
        if kind == "reschedule":
            again["requested_start_at"] = (
                datetime.now(timezone.utc) + timedelta(days=3)
            ).isoformat()
        response = api.post(f"/lessons/{lesson_id}/requests", again)
        assert error_of(response) == (409, "request_exists"), kind


def test_reschedule_request(api: Api) -> None:
    lesson_id = next_lesson_id(api, "CS002")
    wanted = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0)
    body = {
        "customer_id": "C001",
        "student_id": "S001",
        "kind": "reschedule",
        "requested_start_at": wanted.astimezone(timezone(timedelta(hours=8))).isoformat(),
    }
    request = api.ok("POST", f"/lessons/{lesson_id.lower()}/requests", body, 201)
    assert request["kind"] == "reschedule" and request["lesson_id"] == lesson_id
    assert datetime.fromisoformat(request["requested_start_at"]) == wanted
    # another student's request for the same lesson is independent
    c002 = {**body, "customer_id": "C002", "student_id": "S002"}
    assert api.ok("POST", f"/lessons/{lesson_id}/requests", c002, 201)["student_id"] == "S002"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"kind": "holiday"}, (422, "invalid_kind")),
        ({"kind": "reschedule"}, (422, "invalid_time")),
        ({"kind": "reschedule", "requested_start_at": "next monday"}, (422, "invalid_time")),
        (
            {"kind": "reschedule", "requested_start_at": "2030-01-01T10:00:00"},
            (422, "invalid_time"),
        ),
        ({"kind": "reschedule", "days": -1}, (422, "invalid_time")),
        ({"kind": "reschedule", "days": 31}, (422, "invalid_time")),
        ({"reason": "因" * 501}, (422, "invalid_reason")),
        ({"customer_id": "C002"}, (404, "not_found")),  # not C002's student
        ({"student_id": "S002", "customer_id": "C002"}, (404, "not_found")),  # not enrolled
        ({"student_id": "S999"}, (404, "not_found")),
        ({"lesson_id": "CS001-19990101"}, (404, "not_found")),
        ({"lesson_id": "课次"}, (400, "invalid_lesson_id")),
        ({"student_id": None}, (400, "invalid_student_id")),
        ({"customer_id": None}, (400, "invalid_customer_id")),
    ],
)
def test_lesson_request_refusals(
    api: Api, change: dict[str, object], expected: tuple[int, str]
) -> None:
    lesson_id = str(change.pop("lesson_id", None) or next_lesson_id(api))
    body: dict[str, object] = {"customer_id": "C001", "student_id": "S001", "kind": "leave"}
    days = change.pop("days", None)
    if isinstance(days, int):
        body["requested_start_at"] = (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()
    body.update(change)
    assert error_of(api.post(f"/lessons/{lesson_id}/requests", body)) == expected
    assert all(x["request_status"] is None for x in lessons(api))


def test_past_lesson_is_past_cutoff(api: Api) -> None:
    upcoming = next_lesson_id(api)  # CS001-YYYYMMDD, weekly
    day = datetime.strptime(upcoming.split("-")[1], "%Y%m%d") - timedelta(days=7)
    past = f"CS001-{day:%Y%m%d}"
    body = {"customer_id": "C001", "student_id": "S001", "kind": "leave"}
    assert error_of(api.post(f"/lessons/{past}/requests", body)) == (409, "past_cutoff")


def test_cancel_enrollment(api: Api) -> None:
    enrollment = api.ok("POST", "/enrollments/S001/CS002/cancel", {"customer_id": "C001"})
    assert (enrollment["course_id"], enrollment["status"], enrollment["teacher"]) == (
        "CS002",
        "cancelled",
        "陈老师",
    )
    again = api.post("/enrollments/s001/cs002/cancel", {"customer_id": "C001"})
    assert error_of(again) == (409, "enrollment_not_active")
    assert {x["course_id"] for x in lessons(api, query="?limit=50")} == {"CS001"}
    [student] = api.ok("GET", "/customers/C001/students")["students"]
    assert {e["course_id"]: e["status"] for e in student["enrollments"]} == {
        "CS001": "active",
        "CS002": "cancelled",
    }
    # no requests for lessons of a cancelled course; C002's student is unaffected
    lesson_id = next_lesson_id(api, "CS002", "C002")
    body = {"customer_id": "C001", "student_id": "S001", "kind": "leave"}
    assert error_of(api.post(f"/lessons/{lesson_id}/requests", body)) == (404, "not_found")
    assert {x["course_id"] for x in lessons(api, "C002")} == {"CS002"}


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/enrollments/S001/CS001/cancel", {"customer_id": "C002"}, (404, "not_found")),
        ("/enrollments/S002/CS002/cancel", {"customer_id": "C001"}, (404, "not_found")),
        ("/enrollments/S002/CS001/cancel", {"customer_id": "C002"}, (404, "not_found")),
        ("/enrollments/S001/CS001/cancel", {}, (400, "invalid_customer_id")),
        ("/enrollments/X1/CS001/cancel", {"customer_id": "C001"}, (400, "invalid_student_id")),
        ("/enrollments/S001/math/cancel", {"customer_id": "C001"}, (400, "invalid_course_id")),
    ],
)
def test_cancel_enrollment_refusals(
    api: Api, path: str, body: object, expected: tuple[int, str]
) -> None:
    assert error_of(api.post(path, body)) == expected
    assert len(lessons(api, query="?limit=50")) > 5  # both courses still listed


def test_course_notifications_switch(api: Api) -> None:
    assert api.ok("GET", "/customers/C001")["course_notifications"] is True
    customer = api.ok("PUT", "/customers/c001/notifications", {"course_notifications": False})
    assert customer == {
        "customer_id": "C001",
        "name": "张伟",
        "phone": "13800138001",
        "vip": True,
        "course_notifications": False,
    }
    assert api.ok("GET", "/customers/C001") == customer
    assert api.ok("GET", "/customers/C002")["course_notifications"] is True
    on = api.ok("PUT", "/customers/C001/notifications", {"course_notifications": True})
    assert on["course_notifications"] is True


@pytest.mark.parametrize(
    ("customer_id", "body", "expected"),
    [
        ("C001", {"course_notifications": "no"}, (422, "invalid_course_notifications")),
        ("C001", {}, (422, "invalid_course_notifications")),
        ("C404", {"course_notifications": False}, (404, "not_found")),
        ("nobody", {"course_notifications": False}, (400, "invalid_customer_id")),
    ],
)
def test_notification_refusals(
    api: Api, customer_id: str, body: object, expected: tuple[int, str]
) -> None:
    assert error_of(api.put(f"/customers/{customer_id}/notifications", body)) == expected
    assert api.ok("GET", "/customers/C001")["course_notifications"] is True
