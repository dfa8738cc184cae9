"""Parsing of the backend's JSON documents into the domain objects of :mod:`.base`.

Every function raises :class:`~zhike.lib.backend_client.base.BackendError` (code
``invalid_response``) when the document does not have the expected shape, so a broken or
foreign server never surfaces as a ``KeyError`` inside an action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.lib.backend_client.domain import (
    Customer,
    Enrollment,
    Invoice,
    Lesson,
    LessonRequest,
    Logistics,
    Order,
    OrderItem,
    PhoneCheck,
    Refund,
    Student,
    Ticket,
    TrackingEvent,
)
from zhike.lib.backend_client.errors import BackendError

T = TypeVar("T")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string (``Z`` allowed) as an aware UTC datetime; ``None`` stays ``None``.

    Naive values are taken as UTC.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _required_time(value: Any) -> datetime:
    moment = parse_time(value)
    if moment is None:
        raise ValueError("missing timestamp")
    return moment


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _texts(value: Any, key: str) -> tuple[str, ...]:
    """A list of strings as a tuple; a missing (``None``) list is empty."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} is not a list of strings")
    return tuple(value)


def _list_of(data: dict[str, Any], key: str, parse: Callable[[Any], T]) -> list[T]:
    items = data[key]
    if not isinstance(items, list):
        raise ValueError(f"{key} is not a list")
    return [parse(item) for item in items]


def _strict(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], T]:
    def wrapper(data: Any) -> T:
        if not isinstance(data, dict):
            raise BackendError(
                f"invalid backend response: expected an object, got {type(data).__name__}",
                code="invalid_response",
            )
        try:
            return parse(data)
        except BackendError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise BackendError(
                f"invalid backend response ({parse.__name__}): {error!r}",
                code="invalid_response",
            ) from error

    wrapper.__name__ = parse.__name__
    wrapper.__doc__ = parse.__doc__
    return wrapper


@_strict
def tracking_event_from_json(data: dict[str, Any]) -> TrackingEvent:
    """``{"time", "location", "description"}``."""
    return TrackingEvent(
        time=_required_time(data["time"]),
        location=_str(data.get("location")),
        description=_str(data["description"]),
    )


@_strict
def logistics_from_json(data: dict[str, Any]) -> Logistics:
    """A shipment; events are sorted chronologically whatever order the server used."""
    events = sorted(
        (tracking_event_from_json(event) for event in data.get("events") or []),
        key=lambda event: event.time,
    )
    return Logistics(
        order_id=_str(data["order_id"]).upper(),
        courier=_str(data["courier"]),
        tracking_number=_str(data["tracking_number"]),
        status=_str(data.get("status")),
        courier_code=_str(data.get("courier_code")),
        eta=parse_time(data.get("eta")),
        events=tuple(events),
        intercept_fee_fen=_int(data.get("intercept_fee_fen") or 0),
    )


@_strict
def order_item_from_json(data: dict[str, Any]) -> OrderItem:
    """``{"sku", "name", "quantity", "price_fen", "installable"}`` (the last optional)."""
    return OrderItem(
        sku=_str(data.get("sku")),
        name=_str(data["name"]),
        quantity=_int(data["quantity"]),
        price_fen=_int(data["price_fen"]),
        installable=data.get("installable") is True,
    )


@_strict
def refund_from_json(data: dict[str, Any]) -> Refund:
    """A refund request."""
    return Refund(
        refund_id=_str(data["refund_id"]),
        order_id=_str(data["order_id"]).upper(),
        amount_fen=_int(data["amount_fen"]),
        reason=_str(data.get("reason")),
        status=_str(data["status"]),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
    )


@_strict
def invoice_from_json(data: dict[str, Any]) -> Invoice:
    """An invoice request."""
    tax_number = data.get("tax_number")
    return Invoice(
        invoice_id=_str(data["invoice_id"]),
        order_id=_str(data["order_id"]).upper(),
        title=_str(data["title"]),
        type=_str(data["type"]),
        status=_str(data["status"]),
        tax_number=None if tax_number in (None, "") else _str(tax_number),
        created_at=parse_time(data.get("created_at")),
    )


@_strict
def order_from_json(data: dict[str, Any]) -> Order:
    """An order with items, optional logistics and refunds."""
    logistics = data.get("logistics")
    return Order(
        order_id=_str(data["order_id"]).upper(),
        customer_id=_str(data["customer_id"]).upper(),
        status=_str(data["status"]),
        amount_fen=_int(data["amount_fen"]),
        items=tuple(order_item_from_json(item) for item in data.get("items") or []),
        recipient=_str(data.get("recipient")),
        phone=_str(data.get("phone")),
        shipping_address=_str(data.get("shipping_address")),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
        logistics=logistics_from_json(logistics) if logistics is not None else None,
        refunds=tuple(refund_from_json(refund) for refund in data.get("refunds") or []),
        invoices=tuple(invoice_from_json(invoice) for invoice in data.get("invoices") or []),
    )


@_strict
def customer_from_json(data: dict[str, Any]) -> Customer:
    """A customer account."""
    return Customer(
        customer_id=_str(data["customer_id"]).upper(),
        name=_str(data["name"]),
        phone=_str(data.get("phone")),
        vip=bool(data.get("vip", False)),
        course_notifications=bool(data.get("course_notifications", True)),
    )


@_strict
def orders_from_json(data: dict[str, Any]) -> list[Order]:
    """``{"customer_id": ..., "orders": [...]}`` as a list of orders."""
    return _list_of(data, "orders", order_from_json)


@_strict
def enrollment_from_json(data: dict[str, Any]) -> Enrollment:
    """A student's enrollment in a course."""
    return Enrollment(
        student_id=_str(data["student_id"]).upper(),
        course_id=_str(data["course_id"]).upper(),
        course_name=_str(data["course_name"]),
        teacher=_str(data.get("teacher")),
        status=_str(data["status"]),
        schedule=_str(data.get("schedule")),
        enrolled_at=parse_time(data.get("enrolled_at")),
    )


@_strict
def student_from_json(data: dict[str, Any]) -> Student:
    """A student with enrollments."""
    return Student(
        student_id=_str(data["student_id"]).upper(),
        customer_id=_str(data["customer_id"]).upper(),
        name=_str(data["name"]),
        grade=_str(data.get("grade")),
        enrollments=tuple(enrollment_from_json(e) for e in data.get("enrollments") or []),
    )


@_strict
def lesson_from_json(data: dict[str, Any]) -> Lesson:
    """One lesson of a student."""
    request_status = data.get("request_status")
    return Lesson(
        lesson_id=_str(data["lesson_id"]),
        course_id=_str(data["course_id"]).upper(),
        course_name=_str(data["course_name"]),
        student_id=_str(data["student_id"]).upper(),
        student_name=_str(data.get("student_name")),
        teacher=_str(data.get("teacher")),
        start_at=_required_time(data["start_at"]),
        end_at=_required_time(data["end_at"]),
        status=_str(data["status"]),
        request_status=None if request_status in (None, "") else _str(request_status),
    )


@_strict
def lesson_request_from_json(data: dict[str, Any]) -> LessonRequest:
    """A leave or reschedule request."""
    return LessonRequest(
        request_id=_str(data["request_id"]),
        lesson_id=_str(data["lesson_id"]),
        student_id=_str(data["student_id"]).upper(),
        kind=_str(data["kind"]),
        status=_str(data["status"]),
        requested_start_at=parse_time(data.get("requested_start_at")),
        reason=_str(data.get("reason")),
        created_at=parse_time(data.get("created_at")),
    )


@_strict
def ticket_from_json(data: dict[str, Any]) -> Ticket:
    """A service ticket."""
    customer_id = data.get("customer_id")
    return Ticket(
        ticket_id=_str(data["ticket_id"]).upper(),
        category=_str(data["category"]),
        summary=_str(data["summary"]),
        status=_str(data["status"]),
        customer_id=None if customer_id in (None, "") else _str(customer_id).upper(),
        channel=_str(data.get("channel")),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
        notes=_texts(data.get("notes"), "notes"),
    )


@_strict
def phone_check_from_json(data: dict[str, Any]) -> PhoneCheck:
    """``{"verified", "attempts_left", "locked_until"}``."""
    verified = data["verified"]
    if not isinstance(verified, bool):
        raise ValueError(f"verified is not a boolean: {verified!r}")
    return PhoneCheck(
        verified=verified,
        attempts_left=_int(data["attempts_left"]),
        locked_until=parse_time(data.get("locked_until")),
    )


@_strict
def students_from_json(data: dict[str, Any]) -> list[Student]:
    """``{"students": [...]}``."""
    return _list_of(data, "students", student_from_json)


@_strict
def lessons_from_json(data: dict[str, Any]) -> list[Lesson]:
    """``{"lessons": [...]}``."""
    return _list_of(data, "lessons", lesson_from_json)


@_strict
def tickets_from_json(data: dict[str, Any]) -> list[Ticket]:
    """``{"tickets": [...]}``."""
    return _list_of(data, "tickets", ticket_from_json)


@_strict
def customer_id_from_json(data: dict[str, Any]) -> str:
    """``{"customer_id": "C001"}`` as the id."""
    customer_id = _str(data["customer_id"]).strip().upper()
    if not customer_id:
        raise ValueError("empty customer_id")
    return customer_id


def request_id_from_json(data: Any) -> str | None:
    """``{"request_id": "..."}`` as the id; ``None`` when the backend sent none."""
    value = data.get("request_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


@_strict
def unbound_from_json(data: dict[str, Any]) -> bool:
    """``{"unbound": true}`` as the boolean."""
    unbound = data["unbound"]
    if not isinstance(unbound, bool):
        raise ValueError(f"unbound is not a boolean: {unbound!r}")
    return unbound
