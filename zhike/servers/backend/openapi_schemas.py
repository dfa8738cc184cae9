"""JSON Schemas (OpenAPI 3.0 components) of the documents and request bodies of the API.

The shapes follow docs/backend-api.md ("Documents") and :mod:`zhike.servers.backend.serializers`.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str = "", *, fmt: str | None = None, nullable: bool = False) -> Schema:
    """A string schema (``fmt`` e.g. ``date-time``)."""
    schema: Schema = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    if nullable:
        schema["nullable"] = True
    if description:
        schema["description"] = description
    return schema


def integer(description: str = "") -> Schema:
    """An integer schema."""
    return {"type": "integer", "description": description} if description else {"type": "integer"}


def boolean() -> Schema:
    """A boolean schema."""
    return {"type": "boolean"}


def array(items: Schema) -> Schema:
    """An array of ``items``."""
    return {"type": "array", "items": items}


def enum(*values: str) -> Schema:
    """A string with one of ``values``."""
    return {"type": "string", "enum": list(values)}


def obj(required: tuple[str, ...], **properties: Schema) -> Schema:
    """An object with ``properties``, of which ``required`` must be present."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


TIME = string(fmt="date-time")
NULLABLE_TIME = string(fmt="date-time", nullable=True)

DOCUMENTS: dict[str, Schema] = {
    "Error": obj(
        ("error",),
        error=obj(
            ("code", "message"),
            code=string("machine-readable code, e.g. order_not_found"),
            message=string("reason, safe to show to a customer (Chinese)"),
        ),
    ),
    "Health": obj(("status",), status=string(), service=string(), database=string()),
    "OrderItem": obj(
        ("sku", "name", "quantity", "price_fen"),
        sku=string(),
        name=string(),
        quantity=integer(),
        price_fen=integer(),
    ),
    "TrackingEvent": obj(
        ("time", "location", "description"), time=TIME, location=string(), description=string()
    ),
    "Logistics": obj(
        ("order_id", "courier", "courier_code", "tracking_number", "status", "eta", "events"),
        order_id=string(),
        courier=string(),
        courier_code=string(),
        tracking_number=string(),
        status=string("in_transit, delivered ..."),
        eta=NULLABLE_TIME,
        events=array(ref("TrackingEvent")),
    ),
    "Refund": obj(
        ("refund_id", "order_id", "amount_fen", "reason", "status", "created_at", "updated_at"),
        refund_id=string("RF + 8 digits"),
        order_id=string(),
        amount_fen=integer(),
        reason=string(),
        status=enum("requested", "processing", "approved", "rejected", "completed"),
        created_at=TIME,
        updated_at=TIME,
    ),
    "Invoice": obj(
        ("invoice_id", "order_id", "title", "type", "tax_number", "status", "created_at"),
        invoice_id=string("IV + 8 digits"),
        order_id=string(),
        title=string(),
        type=enum("electronic_normal", "vat_special"),
        tax_number=string("unified social credit code", nullable=True),
        status=enum("requested", "issued", "rejected"),
        created_at=TIME,
    ),
    "Order": obj(
        (
            "order_id",
            "customer_id",
            "status",
            "amount_fen",
            "currency",
            "items",
            "recipient",
            "phone",
            "shipping_address",
            "created_at",
            "updated_at",
            "logistics",
            "refunds",
            "invoices",
        ),
        order_id=string("HP + 8 digits"),
        customer_id=string(),
        status=enum(
            "pending_payment", "paid", "shipped", "delivered", "cancelled", "refunding", "refunded"
        ),
        amount_fen=integer(),
        currency=string(),
        items=array(ref("OrderItem")),
        recipient=string(),
        phone=string(),
        shipping_address=string(),
        created_at=TIME,
        updated_at=TIME,
        logistics={"allOf": [ref("Logistics")], "nullable": True},
        refunds=array(ref("Refund")),
        invoices=array(ref("Invoice")),
    ),
    "OrderList": obj(("orders",), customer_id=string(), orders=array(ref("Order"))),
    "Customer": obj(
        ("customer_id", "name", "phone", "vip", "course_notifications"),
        customer_id=string(),
        name=string(),
        phone=string(),
        vip=boolean(),
        course_notifications=boolean(),
    ),
    "Enrollment": obj(
        ("student_id", "course_id", "course_name", "teacher", "schedule", "status"),
        student_id=string(),
        course_id=string(),
        course_name=string(),
        teacher=string(),
        schedule=string(),
        status=enum("active", "paused", "cancelled", "completed"),
        enrolled_at=TIME,
    ),
    "Student": obj(
        ("student_id", "customer_id", "name", "grade", "enrollments"),
        student_id=string(),
        customer_id=string(),
        name=string(),
        grade=string(),
        enrollments=array(ref("Enrollment")),
    ),
    "StudentList": obj(("students",), students=array(ref("Student"))),
    "Lesson": obj(
        (
            "lesson_id",
            "course_id",
            "course_name",
            "student_id",
            "student_name",
            "teacher",
            "start_at",
            "end_at",
            "status",
            "request_status",
        ),
        lesson_id=string(),
        course_id=string(),
        course_name=string(),
        student_id=string(),
        student_name=string(),
        teacher=string(),
        start_at=TIME,
        end_at=TIME,
        status=enum("scheduled", "completed", "cancelled"),
        request_status=string("status of the student's request, if any", nullable=True),
    ),
    "LessonList": obj(("lessons",), lessons=array(ref("Lesson"))),
    "LessonRequest": obj(
        ("request_id", "lesson_id", "student_id", "kind", "status", "requested_start_at"),
        request_id=string("LR + 8 digits"),
        lesson_id=string(),
        student_id=string(),
        kind=enum("leave", "reschedule"),
        status=enum("pending", "approved", "rejected"),
        requested_start_at=NULLABLE_TIME,
        reason=string(),
        created_at=TIME,
    ),
    "Ticket": obj(
        ("ticket_id", "customer_id", "category", "summary", "status", "channel", "created_at"),
        ticket_id=string("TK + 8 digits"),
        customer_id=string(nullable=True),
        category=string(),
        summary=string(),
        status=enum("open", "in_progress", "resolved", "closed"),
        channel=string(),
        created_at=TIME,
        updated_at=TIME,
        notes=array(string("a note the customer added, oldest first")),
    ),
    "TicketList": obj(("tickets",), tickets=array(ref("Ticket"))),
    "PhoneCheck": obj(
        ("verified", "attempts_left", "locked_until"),
        verified=boolean(),
        attempts_left=integer("wrong tries left before the lock (0 when locked)"),
        locked_until=NULLABLE_TIME,
    ),
    "CustomerRef": obj(("customer_id",), customer_id=string()),
    "Binding": obj(
        ("customer_id", "expires_at"),
        customer_id=string(),
        expires_at=string("the binding ends then (web 7 days, others 30)", fmt="date-time"),
    ),
    "Unbinding": obj(("unbound",), unbound=boolean()),
    "CodeSent": obj(
        ("request_id", "expires_at"),
        request_id=string("confirm the code with it (the phone stays server-side)"),
        expires_at=TIME,
    ),
}

REQUESTS: dict[str, Schema] = {
    "ActingCustomer": obj(("customer_id",), customer_id=string("the customer acting")),
    "RefundRequest": obj(
        ("customer_id", "reason"), customer_id=string(), reason=string("1-500 characters")
    ),
    "AddressChange": obj(
        ("customer_id", "address"),
        customer_id=string(),
        address=string("8-200 characters"),
        recipient=string("1-64 characters"),
    ),
    "InvoiceRequest": obj(
        ("customer_id", "title", "type"),
        customer_id=string(),
        title=string("1-128 characters"),
        type=enum("electronic_normal", "vat_special"),
        tax_number=string("18-character unified social credit code", nullable=True),
    ),
    "PhoneCheckRequest": obj(
        ("last4", "requester"),
        last4=string("4 digits"),
        requester=string("<channel>:<sender id>"),
        client_address=string("the requester's IP address, if known", nullable=True),
    ),
    "NotificationsChange": obj(("course_notifications",), course_notifications=boolean()),
    "CodeRequest": obj(
        ("phone", "channel", "channel_user_id"),
        phone=string("mainland mobile number"),
        channel=string(),
        channel_user_id=string(),
    ),
    "BindingRequest": obj(
        ("code", "channel", "channel_user_id"),
        request_id=string("from the code request; else the channel user's newest code"),
        phone=string("optional: only a code sent to this phone", nullable=True),
        code=string("6 digits"),
        channel=string(),
        channel_user_id=string(),
    ),
    "LessonChangeRequest": obj(
        ("customer_id", "student_id", "kind"),
        customer_id=string(),
        student_id=string(),
        kind=enum("leave", "reschedule"),
        requested_start_at=string("reschedule only: within 30 days", fmt="date-time"),
        reason=string("at most 500 characters"),
    ),
    "TicketRequest": obj(
        ("category", "summary"),
        category=enum("order", "refund", "logistics", "invoice", "course", "complaint", "other"),
        summary=string("1-2000 characters"),
        customer_id=string(nullable=True),
        channel=string(),
    ),
    "TicketNoteRequest": obj(
        ("text",),
        text=string("1-500 characters"),
        customer_id=string("the customer acting; required for a customer's ticket", nullable=True),
    ),
}
