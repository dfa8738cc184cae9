"""The frozen domain objects that business-system clients return to actions.

Pure: no HTTP, no database. Conventions: money is integer fen (1 yuan = 100 fen); times
are timezone-aware UTC ``datetime`` objects; ids are upper case (``HP20240001``, ``C001``,
``S001``, ``TK20240001``). Fields marked personal data must be masked
(:mod:`zhike.common.privacy`) before they are shown or logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Order status codes (plain strings so they compare and hash like the JSON values).
PENDING_PAYMENT = "pending_payment"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
REFUNDING = "refunding"
REFUNDED = "refunded"
ORDER_STATUSES = (PENDING_PAYMENT, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDING, REFUNDED)

# Invoice types.
ELECTRONIC_NORMAL = "electronic_normal"  # 电子普通发票 (person or company)
VAT_SPECIAL = "vat_special"  # 增值税专用发票 (company only, tax number required)
INVOICE_TYPES = (ELECTRONIC_NORMAL, VAT_SPECIAL)

# Lesson request kinds.
LEAVE = "leave"  # 请假: skip one lesson
RESCHEDULE = "reschedule"  # 调课: move one lesson to another time
LESSON_REQUEST_KINDS = (LEAVE, RESCHEDULE)

# Ticket categories.
TICKET_CATEGORIES = ("order", "refund", "logistics", "invoice", "course", "complaint", "other")


@dataclass(frozen=True)
class OrderItem:
    """One order line: ``quantity`` pieces of ``sku`` at ``price_fen`` each.

    ``installable``: the shop installs this product at home (上门安装).
    """

    sku: str
    name: str
    quantity: int
    price_fen: int
    installable: bool = False

    @property
    def subtotal_fen(self) -> int:
        """``quantity * price_fen``."""
        return self.quantity * self.price_fen


@dataclass(frozen=True)
class TrackingEvent:
    """One courier scan: when, where, what happened."""

    time: datetime
    location: str
    description: str


@dataclass(frozen=True)
class Logistics:
    """The shipment of an order.

    ``events`` are in chronological order, so ``events[-1]`` is the latest scan.
    ``status`` is a courier-level code such as ``in_transit`` or ``delivered``; ``eta`` is
    ``None`` when unknown or already delivered.
    """

    order_id: str
    courier: str
    tracking_number: str
    status: str
    courier_code: str = ""
    eta: datetime | None = None
    events: tuple[TrackingEvent, ...] = ()
    intercept_fee_fen: int = 0  # what the courier charges to stop the parcel (拦截)

    @property
    def latest_event(self) -> TrackingEvent | None:
        """The most recent tracking event, if any."""
        return self.events[-1] if self.events else None


@dataclass(frozen=True)
class Refund:
    """A refund of an order.

    ``status`` is one of ``requested``, ``processing``, ``approved``, ``rejected``,
    ``completed``.
    """

    refund_id: str
    order_id: str
    amount_fen: int
    reason: str
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Invoice:
    """An invoice request for an order (``status``: requested, issued, rejected).

    ``type`` is one of :data:`INVOICE_TYPES`; ``tax_number`` is the buyer's 18-character
    unified social credit code, ``None`` for a personal invoice.
    """

    invoice_id: str
    order_id: str
    title: str
    type: str
    status: str
    tax_number: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Order:
    """An e-commerce order as the bot may know it.

    ``status`` is one of :data:`ORDER_STATUSES`; ``logistics`` is ``None`` until the order
    ships. ``recipient``, ``phone`` and ``shipping_address`` are personal data.
    """

    order_id: str
    customer_id: str
    status: str
    amount_fen: int
    items: tuple[OrderItem, ...] = ()
    recipient: str = ""
    phone: str = ""
    shipping_address: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    logistics: Logistics | None = None
    refunds: tuple[Refund, ...] = field(default_factory=tuple)
    invoices: tuple[Invoice, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Customer:
    """A customer account (``name`` and ``phone`` are personal data)."""

    customer_id: str
    name: str
    phone: str
    vip: bool = False
    course_notifications: bool = True


@dataclass(frozen=True)
class Enrollment:
    """A student's place in a course (``status``: active, paused, cancelled, completed)."""

    student_id: str
    course_id: str
    course_name: str
    teacher: str
    status: str
    schedule: str = ""
    enrolled_at: datetime | None = None


@dataclass(frozen=True)
class Student:
    """A pupil of the online school; ``customer_id`` is the paying parent."""

    student_id: str
    customer_id: str
    name: str
    grade: str = ""
    enrollments: tuple[Enrollment, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """One scheduled lesson of a course a student attends.

    ``status`` is ``scheduled``, ``completed`` or ``cancelled``; ``request_status`` is the
    status of the student's leave/reschedule request for it, or ``None`` without one.
    """

    lesson_id: str
    course_id: str
    course_name: str
    student_id: str
    student_name: str
    teacher: str
    start_at: datetime
    end_at: datetime
    status: str
    request_status: str | None = None


@dataclass(frozen=True)
class LessonRequest:
    """A leave or reschedule request for a lesson (``status``: pending, approved, rejected).

    ``requested_start_at`` is the wished new time of a reschedule, ``None`` for leave.
    """

    request_id: str
    lesson_id: str
    student_id: str
    kind: str
    status: str
    requested_start_at: datetime | None = None
    reason: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Ticket:
    """A service ticket (工单) handed to human agents.

    ``status`` is open, in_progress, resolved or closed; ``customer_id`` is ``None`` for an
    anonymous customer; ``notes`` are the texts the customer added later, oldest first.
    """

    ticket_id: str
    category: str
    summary: str
    status: str
    customer_id: str | None = None
    channel: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhoneCheck:
    """The answer to "do these 4 digits end the order's phone number?".

    Attributes:
        verified: the digits matched; the requester may see this order.
        attempts_left: wrong tries left before the lock (0 when locked).
        locked_until: while locked, when the requester may try again; else ``None``.
    """

    verified: bool
    attempts_left: int
    locked_until: datetime | None = None
