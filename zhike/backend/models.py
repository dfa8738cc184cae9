"""SQLAlchemy 1.4 declarative models of the demo business systems.

E-commerce: customers, orders (+ items), logistics (+ tracking events), refunds and
invoices. Online school: students, courses, enrollments, lessons and lesson requests
(leave / reschedule). Service: tickets. Relationships use ``lazy="raise"`` so async code
must load what it needs explicitly (see :mod:`zhike.backend.queries`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

Base: Any = declarative_base()

ORDER_STATUSES = (
    "pending_payment",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "refunding",
    "refunded",
)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Converts aware values to naive UTC; naive values are taken as UTC already."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Marks the stored naive UTC value as UTC."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Customer(Base):
    """A shopper or parent account (id like ``C001``)."""

    __tablename__ = "customers"
    id = Column(String(16), primary_key=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False, index=True)
    vip = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=_now)

    orders = relationship("Order", back_populates="customer", lazy="raise")


class Order(Base):
    """An e-commerce order (id like ``HP20240001``); amounts are integers in fen."""

    __tablename__ = "orders"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    amount_fen = Column(Integer, nullable=False)
    recipient = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False)
    shipping_address = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=_now)
    updated_at = Column(UTCDateTime, nullable=False, default=_now, onupdate=_now)

    customer = relationship("Customer", back_populates="orders", lazy="raise")
    items = relationship(
        "OrderItem", order_by="OrderItem.position", cascade="all, delete-orphan", lazy="raise"
    )
    logistics = relationship("Logistics", uselist=False, cascade="all, delete-orphan", lazy="raise")
    refunds = relationship(
        "Refund", order_by="Refund.created_at", cascade="all, delete-orphan", lazy="raise"
    )
    invoices = relationship("Invoice", cascade="all, delete-orphan", lazy="raise")


class OrderItem(Base):
    """One line of an order: ``qty`` pieces of ``sku`` at ``price_fen`` each."""

    __tablename__ = "order_items"
    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=1)
    sku = Column(String(64), nullable=False)
    name = Column(String(255), nullable=False)
    qty = Column(Integer, nullable=False)
    price_fen = Column(Integer, nullable=False)


class Logistics(Base):
    """The shipment of an order: courier, tracking number, status and ETA."""

    __tablename__ = "logistics"
    order_id = Column(String(16), ForeignKey("orders.id"), primary_key=True)
    courier = Column(String(32), nullable=False)
    courier_code = Column(String(16), nullable=False)
    tracking_number = Column(String(32), nullable=False, unique=True)
    status = Column(String(32), nullable=False)  # in_transit, delivered, ...
    eta = Column(UTCDateTime, nullable=True)

    events = relationship(
        "TrackingEvent",
        order_by="TrackingEvent.time",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class TrackingEvent(Base):
    """One courier scan of a shipment."""

    __tablename__ = "tracking_events"
    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("logistics.order_id"), nullable=False, index=True)
    time = Column(UTCDateTime, nullable=False)
    location = Column(String(64), nullable=False)
    description = Column(String(255), nullable=False)


class Refund(Base):
    """A refund request (requested, processing, approved, rejected, completed)."""

    __tablename__ = "refunds"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    amount_fen = Column(Integer, nullable=False)
    reason = Column(Text, nullable=False)
    status = Column(String(32), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=_now)
    updated_at = Column(UTCDateTime, nullable=False, default=_now, onupdate=_now)


class Invoice(Base):
    """An invoice request for an order (type electronic_normal or vat_special)."""

    __tablename__ = "invoices"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    title = Column(String(128), nullable=False)
    tax_number = Column(String(32), nullable=True)
    type = Column(String(32), nullable=False)
    status = Column(String(32), nullable=False)  # requested, issued, rejected
    created_at = Column(UTCDateTime, nullable=False, default=_now)


class Student(Base):
    """A pupil of the online school; ``customer_id`` is the paying parent."""

    __tablename__ = "students"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    grade = Column(String(16), nullable=True)


class Course(Base):
    """A course with its teacher and a human-readable schedule."""

    __tablename__ = "courses"
    id = Column(String(16), primary_key=True)
    name = Column(String(128), nullable=False)
    teacher = Column(String(64), nullable=False)
    subject = Column(String(32), nullable=True)
    schedule = Column(String(128), nullable=True)


class Enrollment(Base):
    """A student's place in a course (active, paused, completed)."""

    __tablename__ = "enrollments"
    student_id = Column(String(16), ForeignKey("students.id"), primary_key=True)
    course_id = Column(String(16), ForeignKey("courses.id"), primary_key=True)
    status = Column(String(32), nullable=False)
    enrolled_at = Column(UTCDateTime, nullable=False, default=_now)


class Lesson(Base):
    """One scheduled lesson of a course (scheduled, completed, cancelled)."""

    __tablename__ = "lessons"
    id = Column(String(32), primary_key=True)
    course_id = Column(String(16), ForeignKey("courses.id"), nullable=False, index=True)
    start_at = Column(UTCDateTime, nullable=False, index=True)
    end_at = Column(UTCDateTime, nullable=False)
    teacher = Column(String(64), nullable=False)
    status = Column(String(32), nullable=False)


class LessonRequest(Base):
    """A leave or reschedule request for a lesson (pending, approved, rejected)."""

    __tablename__ = "lesson_requests"
    __table_args__ = (UniqueConstraint("lesson_id", "student_id", "kind"),)
    id = Column(String(16), primary_key=True)
    lesson_id = Column(String(32), ForeignKey("lessons.id"), nullable=False, index=True)
    student_id = Column(String(16), ForeignKey("students.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # leave, reschedule
    requested_start_at = Column(UTCDateTime, nullable=True)
    reason = Column(Text, nullable=True)
    status = Column(String(32), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=_now)


class Ticket(Base):
    """A service ticket (id like ``TK20240001``) handed to human agents."""

    __tablename__ = "tickets"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=True, index=True)
    category = Column(String(32), nullable=False)
    summary = Column(Text, nullable=False)
    status = Column(String(32), nullable=False)  # open, in_progress, resolved, closed
    created_at = Column(UTCDateTime, nullable=False, default=_now)
    updated_at = Column(UTCDateTime, nullable=False, default=_now, onupdate=_now)


MODELS_BY_TABLE: dict[str, Any] = {
    model.__tablename__: model
    for model in (
        Customer,
        Order,
        OrderItem,
        Logistics,
        TrackingEvent,
        Refund,
        Invoice,
        Student,
        Course,
        Enrollment,
        Lesson,
        LessonRequest,
        Ticket,
    )
}
