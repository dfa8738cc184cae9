"""Online-school tables: students, courses, enrollments, lessons and lesson requests."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base


class Student(Base):
    """A pupil of the online school; ``customer_id`` is the paying parent."""

    __tablename__ = "students"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    grade = Column(String(16), nullable=True)

    enrollments = relationship(
        "Enrollment",
        order_by="(Enrollment.enrolled_at, Enrollment.course_id)",
        back_populates="student",
        lazy="raise",
    )


class Course(Base):
    """A course with its teacher and a human-readable schedule."""

    __tablename__ = "courses"
    id = Column(String(16), primary_key=True)
    name = Column(String(128), nullable=False)
    teacher = Column(String(64), nullable=False)
    subject = Column(String(32), nullable=True)
    schedule = Column(String(128), nullable=True)


class Enrollment(Base):
    """A student's place in a course (active, paused, cancelled, completed)."""

    __tablename__ = "enrollments"
    student_id = Column(String(16), ForeignKey("students.id"), primary_key=True)
    course_id = Column(String(16), ForeignKey("courses.id"), primary_key=True)
    status = Column(String(32), nullable=False)
    enrolled_at = Column(UTCDateTime, nullable=False, default=utcnow)

    student = relationship("Student", back_populates="enrollments", lazy="raise")
    course = relationship("Course", lazy="raise")


class Lesson(Base):
    """One scheduled lesson of a course (scheduled, completed, cancelled)."""

    __tablename__ = "lessons"
    id = Column(String(32), primary_key=True)
    course_id = Column(String(16), ForeignKey("courses.id"), nullable=False, index=True)
    start_at = Column(UTCDateTime, nullable=False, index=True)
    end_at = Column(UTCDateTime, nullable=False)
    teacher = Column(String(64), nullable=False)
    status = Column(String(32), nullable=False)

    course = relationship("Course", lazy="raise")


class LessonRequest(Base):
    """A leave or reschedule request (pending, approved, rejected); id ``LR`` + 8 digits."""

    __tablename__ = "lesson_requests"
    __table_args__ = (UniqueConstraint("lesson_id", "student_id", "kind"),)
    id = Column(String(16), primary_key=True)
    lesson_id = Column(String(32), ForeignKey("lessons.id"), nullable=False, index=True)
    student_id = Column(String(16), ForeignKey("students.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # leave, reschedule
    requested_start_at = Column(UTCDateTime, nullable=True)
    reason = Column(Text, nullable=True)
    status = Column(String(32), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
