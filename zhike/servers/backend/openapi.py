"""``GET /openapi.json``: the OpenAPI 3.0 description of the API, from a declarative table.

:data:`OPERATIONS` lists every route once (method, path, body, answers); the document is
built from it and the component schemas of :mod:`zhike.servers.backend.openapi_schemas`. A test
checks that the table and the routes registered on the app agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zhike.servers.backend import openapi_price_protection
from zhike.servers.backend.openapi_delivery import DELIVERY_OPERATIONS, DELIVERY_SCHEMAS
from zhike.servers.backend.openapi_exchanges import OPERATIONS as EXCHANGE_OPERATIONS
from zhike.servers.backend.openapi_exchanges import SCHEMAS as EXCHANGE_SCHEMAS
from zhike.servers.backend.openapi_invoices import (
    INVOICE_DOCUMENTS,
    INVOICE_REQUESTS,
    invoice_operations,
)
from zhike.servers.backend.openapi_presales import PRESALES_SCHEMAS, presales_operations
from zhike.servers.backend.openapi_schemas import DOCUMENTS, REQUESTS, Schema, ref
from zhike.servers.backend.openapi_visits import VISIT_OPERATIONS, VISIT_SCHEMAS

API_VERSION = "1.0.0"
API = "/api/v1"


@dataclass(frozen=True)
class Operation:
    """One route of the API.

    Attributes:
        method: HTTP method, upper case.
        path: OpenAPI path template, e.g. ``/api/v1/orders/{order_id}``.
        summary: one line.
        tag: the group (orders, customers, identity, school, tickets, service).
        ok: ``(status, schema name)`` of the success answer.
        errors: ``(status, "code / code")`` of the refusals (400 and 401 are implied).
        body: component name of the JSON request body, if any.
        query: ``(name, description)`` of optional query parameters.
        open: True for routes that need no API key.
        header: ``(name, description)`` of an optional request header.
    """

    method: str
    path: str
    summary: str
    tag: str
    ok: tuple[int, str]
    errors: tuple[tuple[int, str], ...] = ()
    body: str | None = None
    query: tuple[tuple[str, str], ...] = ()
    open: bool = False
    header: tuple[str, str] | None = None


_WRITE_404 = (404, "not_found (unknown, or another customer's)")

OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/health", "Liveness and a database round trip", "service",
              (200, "Health"), ((503, "database_unavailable"),), open=True),
    Operation("GET", "/openapi.json", "This document", "service", (200, "OpenAPI"), open=True),
    Operation("GET", f"{API}/orders/{{order_id}}", "One order", "orders", (200, "Order"),
              ((404, "order_not_found"),)),
    Operation("GET", f"{API}/orders/{{order_id}}/logistics", "The shipment of an order",
              "orders", (200, "Logistics"), ((404, "order_not_found / logistics_not_found"),)),
    Operation("POST", f"{API}/orders/{{order_id}}/cancel", "Cancel an unshipped order",
              "orders", (200, "Order"), (_WRITE_404, (409, "order_not_cancellable")),
              body="ActingCustomer"),
    Operation("POST", f"{API}/orders/{{order_id}}/refunds", "Request a full refund", "orders",
              (201, "Refund"),
              (_WRITE_404, (409, "refund_exists / refund_not_allowed"), (422, "invalid_reason")),
              body="RefundRequest"),
    Operation("PUT", f"{API}/orders/{{order_id}}/address", "Change the shipping address",
              "orders", (200, "Order"),
              (_WRITE_404, (409, "address_not_changeable"),
               (422, "invalid_address / invalid_recipient")),
              body="AddressChange"),
    Operation("POST", f"{API}/orders/{{order_id}}/invoices", "Request the invoice", "orders",
              (201, "Invoice"),
              (_WRITE_404, (409, "invoice_exists / invoice_not_allowed"),
               (422, "invalid_title / invalid_tax_number / invalid_invoice_type")),
              body="InvoiceRequest"),
    Operation("POST", f"{API}/orders/{{order_id}}/phone-checks",
              "Check the last 4 digits of the order's phone (unknown order: a wrong try)",
              "identity", (200, "PhoneCheck"),
              ((422, "invalid_last4 / invalid_requester / invalid_client_address"),),
              body="PhoneCheckRequest"),
    Operation("GET", f"{API}/customers/{{customer_id}}", "One customer", "customers",
              (200, "Customer"), ((404, "customer_not_found"),)),
    Operation("GET", f"{API}/customers/{{customer_id}}/orders", "The customer's orders, newest "
              "first", "customers", (200, "OrderList"), ((404, "customer_not_found"),)),
    Operation("PUT", f"{API}/customers/{{customer_id}}/notifications",
              "Turn lesson reminders on or off", "customers", (200, "Customer"),
              (_WRITE_404, (422, "invalid_course_notifications")), body="NotificationsChange"),
    Operation("GET", f"{API}/customers/{{customer_id}}/students",
              "The customer's students with enrollments", "school", (200, "StudentList"),
              ((404, "customer_not_found"),)),
    Operation("GET", f"{API}/customers/{{customer_id}}/lessons",
              "Upcoming scheduled lessons, soonest first", "school", (200, "LessonList"),
              ((404, "customer_not_found / not_found (student)"),),
              query=(("limit", "1-50, default 5"), ("student_id", "only this student"))),
    Operation("GET", f"{API}/customers/{{customer_id}}/tickets",
              "The customer's tickets, newest first", "tickets", (200, "TicketList"),
              ((404, "customer_not_found"),)),
    Operation("GET", f"{API}/bindings/{{channel}}/{{channel_user_id}}",
              "The customer bound to a channel user (expired bindings are not found)",
              "identity", (200, "Binding"), ((404, "not_found"),)),
    Operation("DELETE", f"{API}/bindings/{{channel}}/{{channel_user_id}}",
              "End the channel user's binding (e.g. the site's login changed)", "identity",
              (200, "Unbinding")),
    Operation("POST", f"{API}/bindings/codes",
              "Send a one-time code (same answer for unknown phones)", "identity",
              (202, "CodeSent"),
              ((422, "invalid_phone"),
               (429, "too_many_codes (per channel user, per phone, overall; Retry-After)")),
              body="CodeRequest"),
    Operation("POST", f"{API}/bindings", "Bind a channel user with a one-time code",
              "identity", (201, "CustomerRef"),
              ((422, "invalid_phone / invalid_code"),
               (429, "too_many_attempts (wrong codes for the phone; Retry-After)")),
              body="BindingRequest"),
    Operation("POST", f"{API}/lessons/{{lesson_id}}/requests", "Ask for leave or a reschedule",
              "school", (201, "LessonRequest"),
              (_WRITE_404, (409, "past_cutoff / request_exists"),
               (422, "invalid_kind / invalid_time / invalid_reason")),
              body="LessonChangeRequest"),
    Operation("POST", f"{API}/enrollments/{{student_id}}/{{course_id}}/cancel",
              "Cancel an active enrollment", "school", (200, "Enrollment"),
              (_WRITE_404, (409, "enrollment_not_active")), body="ActingCustomer"),
    Operation("POST", f"{API}/tickets", "Open a ticket (200 with the first ticket on an "
              "idempotent repeat)", "tickets", (201, "Ticket"),
              ((404, "not_found (customer)"),
               (422, "invalid_category / invalid_summary / invalid_channel")),
              body="TicketRequest",
              header=("Idempotency-Key", "a repeat with the same key returns the first ticket")),
    Operation("GET", f"{API}/tickets/{{ticket_id}}", "One ticket", "tickets", (200, "Ticket"),
              ((404, "ticket_not_found"),)),
    Operation("POST", f"{API}/tickets/{{ticket_id}}/notes", "Add the customer's note to an "
              "open ticket (200 on an idempotent repeat)", "tickets", (201, "Ticket"),
              (_WRITE_404,
               (409, "ticket_closed / too_many_notes / idempotency_key_reused"),
               (422, "invalid_note")),
              body="TicketNoteRequest",
              header=("Idempotency-Key", "a repeat with the same key adds nothing")),
)  # fmt: skip
OPERATIONS += presales_operations(Operation)
OPERATIONS += tuple(Operation(**spec) for spec in openapi_price_protection.OPERATIONS)
# The component schemas of the after-sales capabilities (one line each).
EXTRA_SCHEMAS: dict[str, Schema] = {}
EXTRA_SCHEMAS.update(PRESALES_SCHEMAS)
EXTRA_SCHEMAS.update(openapi_price_protection.SCHEMAS)
OPERATIONS += tuple(Operation(**row) for row in VISIT_OPERATIONS)
DOCUMENTS.update(VISIT_SCHEMAS)
OPERATIONS += tuple(Operation(**spec) for spec in EXCHANGE_OPERATIONS)
DOCUMENTS.update(EXCHANGE_SCHEMAS)
OPERATIONS += invoice_operations(Operation)
DOCUMENTS.update(INVOICE_DOCUMENTS)
REQUESTS.update(INVOICE_REQUESTS)
OPERATIONS += tuple(Operation(**spec) for spec in DELIVERY_OPERATIONS)
DOCUMENTS.update(DELIVERY_SCHEMAS)

_PARAM_RE = re.compile(r"{(\w+)}")


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _operation(op: Operation) -> dict[str, Any]:
    status, schema = op.ok
    body_schema: Schema = {"type": "object"} if schema == "OpenAPI" else ref(schema)
    responses: dict[str, Any] = {
        str(status): {
            "description": op.summary,
            "content": {"application/json": {"schema": body_schema}},
        }
    }
    if op.header is not None:
        responses["200"] = {
            "description": "idempotent repeat: the first answer",
            "content": {"application/json": {"schema": body_schema}},
        }
    if not op.open:
        responses["400"] = _error("malformed request, id or body (bad JSON, encoding, text)")
        responses["401"] = _error("unauthorized: missing or wrong X-Api-Key")
    if op.body is not None:
        responses["413"] = _error("payload_too_large: body over 1 MiB")
        responses["415"] = _error("unsupported_media_type: body is not application/json")
    for error_status, codes in op.errors:
        responses[str(error_status)] = _error(codes)
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM_RE.findall(op.path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "description": text,
         "schema": {"type": "string"}}
        for name, text in op.query
    ]  # fmt: skip
    if op.header is not None:
        name, text = op.header
        parameters.append(
            {"name": name, "in": "header", "required": False, "description": text,
             "schema": {"type": "string", "maxLength": 128}}
        )  # fmt: skip
    document: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower())}",
        "responses": responses,
    }
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    if op.open:
        document["security"] = []
    return document


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of every route in :data:`OPERATIONS`."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "zhike reference business backend",
            "version": API_VERSION,
            "description": "Orders, school and service systems behind the zhike bot "
            "(docs/backend-api.md). Money is integer fen; times are ISO 8601 with offset.",
        },
        "servers": [{"url": "/"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Api-Key",
                    "description": "ZHIKE_BACKEND_API_KEY (at least 32 bytes); required unless "
                    "ZHIKE_ENV=development",
                }
            },
            "schemas": {**DOCUMENTS, **REQUESTS, **EXTRA_SCHEMAS},
        },
    }
