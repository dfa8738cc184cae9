"""Conversion of model rows to the JSON documents of the REST API.

Times are ISO 8601 strings with a UTC offset; money is integer fen (``*_fen``). The
shapes are those of docs/backend-api.md ("Documents").
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from zhike.servers.backend.models import (
    Customer,
    Enrollment,
    Invoice,
    LessonRequest,
    Logistics,
    Order,
    Refund,
    Student,
    Ticket,
    TrackingEvent,
)
from zhike.servers.backend.services.delivery import courier_rules
from zhike.servers.backend.services.identity import PhoneCheckResult
from zhike.servers.backend.services.school import UpcomingLesson

JSON = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """``2024-11-24T10:05:00+00:00``; naive values are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def event_json(event: TrackingEvent) -> JSON:
    """One tracking event."""
    return {"time": iso(event.time), "location": event.location, "description": event.description}


def logistics_json(logistics: Logistics) -> JSON:
    """A shipment with its events in chronological order (the last one is the latest)."""
    events = sorted(logistics.events, key=lambda event: event.time)
    return {
        "order_id": logistics.order_id,
        "courier": logistics.courier,
        "courier_code": logistics.courier_code,
        "tracking_number": logistics.tracking_number,
        "status": logistics.status,
        "eta": iso(logistics.eta),
        "intercept_fee_fen": courier_rules(logistics.courier_code).intercept_fee_fen,
        "events": [event_json(event) for event in events],
    }


def refund_json(refund: Refund) -> JSON:
    """A refund."""
    return {
        "refund_id": refund.id,
        "order_id": refund.order_id,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "status": refund.status,
        "created_at": iso(refund.created_at),
        "updated_at": iso(refund.updated_at),
    }


def invoice_json(invoice: Invoice) -> JSON:
    """An invoice request."""
    return {
        "invoice_id": invoice.id,
        "order_id": invoice.order_id,
        "title": invoice.title,
        "type": invoice.type,
        "tax_number": invoice.tax_number,
        "status": invoice.status,
        "created_at": iso(invoice.created_at),
    }


def order_json(order: Order) -> JSON:
    """An order with items, shipping data, logistics (or null), refunds and invoices."""
    return {
        "order_id": order.id,
        "customer_id": order.customer_id,
        "status": order.status,
        "amount_fen": order.amount_fen,
        "currency": "CNY",
        "items": [
            {
                "sku": item.sku,
                "name": item.name,
                "quantity": item.qty,
                "price_fen": item.price_fen,
                "installable": bool(item.product is not None and item.product.installable),
            }
            for item in order.items
        ],
        "recipient": order.recipient,
        "phone": order.phone,
        "shipping_address": order.shipping_address,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "logistics": logistics_json(order.logistics) if order.logistics is not None else None,
        "refunds": [refund_json(refund) for refund in order.refunds],
        "invoices": [invoice_json(invoice) for invoice in order.invoices],
    }


def customer_json(customer: Customer) -> JSON:
    """A customer account."""
    return {
        "customer_id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "vip": bool(customer.vip),
        "course_notifications": bool(customer.course_notifications),
    }


def enrollment_json(enrollment: Enrollment) -> JSON:
    """A student's enrollment (its course must be loaded)."""
    course = enrollment.course
    return {
        "student_id": enrollment.student_id,
        "course_id": enrollment.course_id,
        "course_name": course.name,
        "teacher": course.teacher,
        "schedule": course.schedule or "",
        "status": enrollment.status,
        "enrolled_at": iso(enrollment.enrolled_at),
    }


def student_json(student: Student) -> JSON:
    """A student with enrollments (loaded with their courses)."""
    return {
        "student_id": student.id,
        "customer_id": student.customer_id,
        "name": student.name,
        "grade": student.grade or "",
        "enrollments": [enrollment_json(enrollment) for enrollment in student.enrollments],
    }


def lesson_json(item: UpcomingLesson) -> JSON:
    """One lesson of one student, with the status of the student's request for it."""
    lesson = item.lesson
    return {
        "lesson_id": lesson.id,
        "course_id": lesson.course_id,
        "course_name": item.course.name,
        "student_id": item.student.id,
        "student_name": item.student.name,
        "teacher": lesson.teacher,
        "start_at": iso(lesson.start_at),
        "end_at": iso(lesson.end_at),
        "status": lesson.status,
        "request_status": item.request.status if item.request is not None else None,
    }


def lesson_request_json(request: LessonRequest) -> JSON:
    """A leave or reschedule request."""
    return {
        "request_id": request.id,
        "lesson_id": request.lesson_id,
        "student_id": request.student_id,
        "kind": request.kind,
        "status": request.status,
        "requested_start_at": iso(request.requested_start_at),
        "reason": request.reason or "",
        "created_at": iso(request.created_at),
    }


def ticket_json(ticket: Ticket) -> JSON:
    """A service ticket with its notes' texts, oldest first (idempotency keys stay private).

    ``ticket.notes`` must be loaded (:mod:`zhike.servers.backend.services.tickets` does).
    """
    return {
        "ticket_id": ticket.id,
        "customer_id": ticket.customer_id,
        "category": ticket.category,
        "summary": ticket.summary,
        "status": ticket.status,
        "channel": ticket.channel or "",
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "notes": [note.text for note in ticket.notes],
    }


def phone_check_json(result: PhoneCheckResult) -> JSON:
    """``{verified, attempts_left, locked_until}``."""
    return {
        "verified": result.verified,
        "attempts_left": result.attempts_left,
        "locked_until": iso(result.locked_until),
    }
