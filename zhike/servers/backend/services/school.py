"""The online school: students, upcoming lessons, leave/reschedule requests, enrollments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zhike.common.ids import (
    LESSON_REQUEST_PREFIX,
    normalize_course_id,
    normalize_lesson_id,
    normalize_student_id,
)
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Course, Enrollment, Lesson, LessonRequest, Student
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    existing_customer,
    not_found,
)
from zhike.servers.backend.validation import clean_text

LEAVE, RESCHEDULE = "leave", "reschedule"
REQUEST_KINDS = (LEAVE, RESCHEDULE)
CUTOFF = timedelta(hours=2)
RESCHEDULE_HORIZON = timedelta(days=30)
REASON_MAX = 500
LIMIT_MAX = 50
LIVE_REQUEST_STATUSES = ("pending", "approved")


@dataclass(frozen=True)
class UpcomingLesson:
    """One lesson as one student sees it, with their request for it (if any)."""

    lesson: Lesson
    course: Course
    student: Student
    request: LessonRequest | None


def _student_id(raw: str) -> str:
    student_id = normalize_student_id(raw)
    if student_id is None:
        raise ApiError(400, "invalid_student_id", "学员编号格式不正确：应为 S 加数字，如 S001")
    return student_id


async def list_students(session: AsyncSession, customer_id: str) -> Sequence[Student]:
    """The customer's students with their enrollments (and courses), by id.

    Raises:
        ApiError: 400 malformed id; 404 ``customer_not_found``.
    """
    customer = await existing_customer(session, customer_id)
    result = await session.execute(
        select(Student)
        .where(Student.customer_id == customer.id)
        .options(selectinload(Student.enrollments).selectinload(Enrollment.course))
        .order_by(Student.id)
    )
    return result.scalars().all()


async def upcoming_lessons(
    session: AsyncSession,
    customer_id: str,
    limit: int = 5,
    student_id: str | None = None,
    *,
    now: datetime | None = None,
) -> list[UpcomingLesson]:
    """The next scheduled lessons of the customer's students' active courses, soonest first.

    Raises:
        ApiError: 400 malformed id or ``invalid_limit`` (not 1-50); 404
            ``customer_not_found``; 404 ``not_found`` for a student of another customer.
    """
    now = current_time(now)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= LIMIT_MAX:
        raise ApiError(400, "invalid_limit", f"limit 应为 1-{LIMIT_MAX} 的整数")
    customer = await existing_customer(session, customer_id)
    query = (
        select(Lesson, Course, Student)
        .join(Course, Course.id == Lesson.course_id)
        .join(Enrollment, Enrollment.course_id == Lesson.course_id)
        .join(Student, Student.id == Enrollment.student_id)
        .where(
            Student.customer_id == customer.id,
            Enrollment.status == "active",
            Lesson.status == "scheduled",
            Lesson.start_at > now,
        )
        .order_by(Lesson.start_at, Lesson.id, Student.id)
        .limit(limit)
    )
    if student_id is not None:
        only = _student_id(student_id)
        owner = await session.scalar(select(Student.customer_id).where(Student.id == only))
        if owner != customer.id:
            raise not_found("未找到该学员")
        query = query.where(Student.id == only)
    rows = (await session.execute(query)).all()
    requests: dict[tuple[str, str], LessonRequest] = {}
    if rows:
        found = await session.scalars(
            select(LessonRequest)
            .where(LessonRequest.lesson_id.in_({lesson.id for lesson, _, _ in rows}))
            .order_by(LessonRequest.created_at, LessonRequest.id)
        )
        requests = {(r.lesson_id, r.student_id): r for r in found}  # the newest wins
    return [
        UpcomingLesson(lesson, course, student, requests.get((lesson.id, student.id)))
        for lesson, course, student in rows
    ]


async def _enrolled_student(
    session: AsyncSession, student_id: str, course_id: str, customer_id: str
) -> Enrollment:
    """The customer's student's enrollment (locked, course loaded); 404 ``not_found``."""
    owner = customer_id_of(customer_id)
    enrollment = await session.scalar(
        select(Enrollment)
        .join(Student, Student.id == Enrollment.student_id)
        .where(
            Enrollment.student_id == student_id,
            Enrollment.course_id == course_id,
            Student.customer_id == owner,
        )
        .options(selectinload(Enrollment.course))
        .with_for_update(of=Enrollment)
    )
    if enrollment is None:
        raise not_found("未找到该学员的这门课程")
    return enrollment


def _requested_time(kind: str, requested_start_at: datetime | None, now: datetime) -> datetime:
    if requested_start_at is None or requested_start_at.tzinfo is None:
        raise ApiError(422, "invalid_time", "请提供带时区的调课时间")
    if not now < requested_start_at <= now + RESCHEDULE_HORIZON:
        raise ApiError(422, "invalid_time", "调课时间须在现在之后的 30 天之内")
    return requested_start_at


async def request_lesson_change(
    session: AsyncSession,
    lesson_id: str,
    student_id: str,
    customer_id: str,
    kind: str,
    requested_start_at: datetime | None = None,
    reason: str = "",
    *,
    now: datetime | None = None,
) -> LessonRequest:
    """Asks for leave or a reschedule of one lesson (status ``pending``).

    Requests close 2 hours before the lesson starts. A reschedule needs an aware
    ``requested_start_at`` after ``now`` and at most 30 days ahead (ignored for leave).
    One request per lesson and student: a pending or approved one of either kind, or any
    earlier one of the same kind, refuses a new one.

    Raises:
        ApiError: 422 ``invalid_kind``, ``invalid_time`` or ``invalid_reason`` (more than
            500 characters); 400 malformed id; 404 ``not_found`` (lesson, student, not the
            customer's student, or not actively enrolled in the course); 409
            ``past_cutoff`` (also for a lesson no longer scheduled) or ``request_exists``.
    """
    now = current_time(now)
    if kind not in REQUEST_KINDS:
        raise ApiError(422, "invalid_kind", "申请类型应为请假（leave）或调课（reschedule）")
    wanted = _requested_time(kind, requested_start_at, now) if kind == RESCHEDULE else None
    text = clean_text(reason if reason is not None else "", 0, REASON_MAX)
    if text is None:
        raise ApiError(422, "invalid_reason", f"原因最多 {REASON_MAX} 个字")
    canonical_lesson = normalize_lesson_id(lesson_id)
    if canonical_lesson is None:
        raise ApiError(400, "invalid_lesson_id", "课次编号格式不正确")
    student = _student_id(student_id)
    lesson = await session.get(Lesson, canonical_lesson)
    if lesson is None:
        raise not_found("未找到该课次")
    enrollment = await _enrolled_student(session, student, lesson.course_id, customer_id)
    if enrollment.status != "active":
        raise not_found("该学员未在读这门课程")
    if lesson.status != "scheduled" or now >= lesson.start_at - CUTOFF:
        raise ApiError(409, "past_cutoff", "已过申请截止时间（上课前 2 小时），请联系班主任")
    earlier = await session.scalars(
        select(LessonRequest).where(
            LessonRequest.lesson_id == lesson.id, LessonRequest.student_id == student
        )
    )
    for other in earlier:
        if other.kind == kind or other.status in LIVE_REQUEST_STATUSES:
            raise ApiError(409, "request_exists", "这节课已经提交过请假或调课申请")
    request = LessonRequest(
        id=await allocate_id(session, LESSON_REQUEST_PREFIX),
        lesson_id=lesson.id,
        student_id=student,
        kind=kind,
        requested_start_at=wanted,
        reason=text,
        status="pending",
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def cancel_enrollment(
    session: AsyncSession, student_id: str, course_id: str, customer_id: str
) -> Enrollment:
    """Cancels an active enrollment (status ``cancelled``); returns it with its course.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found``; 409 ``enrollment_not_active``.
    """
    student = _student_id(student_id)
    course = normalize_course_id(course_id)
    if course is None:
        raise ApiError(400, "invalid_course_id", "课程编号格式不正确：应为 CS 加数字，如 CS001")
    enrollment = await _enrolled_student(session, student, course, customer_id)
    if enrollment.status != "active":
        raise ApiError(409, "enrollment_not_active", "该课程当前不在读，无需退课")
    enrollment.status = "cancelled"
    await session.flush()
    return enrollment
