"""The OpenAPI operations and schemas of invoice changes (added to :mod:`.openapi`)."""

from __future__ import annotations

from typing import Any

from zhike.servers.backend.openapi_schemas import Schema, array, enum, integer, obj, ref, string

API = "/api/v1"
_KINDS = ("title", "vat_special", "electronic_normal", "paper", "electronic")
_TIME = string(fmt="date-time", nullable=True)

INVOICE_DOCUMENTS: dict[str, Schema] = {
    "InvoiceChange": obj(
        ("change_id", "invoice_id", "order_id", "kind", "status", "before", "after"),
        change_id=string("IC + 8 digits"),
        invoice_id=string(),
        order_id=string(),
        kind=enum(*_KINDS),
        status=enum("processing", "completed"),
        before={"type": "object", "description": "the invoice's values before the change"},
        after={"type": "object", "description": "the invoice's values after the change"},
        created_at=_TIME,
    ),
    "InvoiceDetail": obj(
        ("invoice_id", "order_id", "title", "type", "status", "medium", "changes"),
        invoice_id=string("IV + 8 digits"),
        order_id=string(),
        title=string(),
        tax_number=string(nullable=True),
        type=enum("electronic_normal", "vat_special"),
        status=enum("requested", "issued", "rejected", "reissuing"),
        medium=enum("electronic", "paper"),
        title_changes=integer(),
        email=string("where an electronic invoice was last sent", nullable=True),
        mail_recipient=string(nullable=True),
        mail_phone=string(nullable=True),
        mail_address=string(nullable=True),
        issued_at=_TIME,
        sent_at=_TIME,
        created_at=_TIME,
        changes=array(ref("InvoiceChange")),
        refusals={"type": "object", "description": "kind (or resend) -> why not, or null"},
    ),
    "OrderInvoices": obj(
        ("order_id", "order_status", "invoices", "refusals"),
        order_id=string(),
        order_status=string(),
        invoices=array(ref("InvoiceDetail")),
        refusals={"type": "object", "description": "kind (or resend) -> why not, or null"},
    ),
}

INVOICE_REQUESTS: dict[str, Schema] = {
    "InvoiceChangeRequest": obj(
        ("customer_id", "kind"),
        customer_id=string(),
        kind=enum(*_KINDS),
        title=string("title: 个人 or a company name"),
        tax_number=string("title (company): unified social credit code"),
        registered_address=string("vat_special"),
        registered_phone=string("vat_special"),
        bank_name=string("vat_special"),
        bank_account=string("vat_special: 8-30 digits"),
        mail_address=string("paper"),
        mail_recipient=string("paper"),
        mail_phone=string("paper: mainland mobile"),
    ),
    "InvoiceResend": obj(("customer_id", "email"), customer_id=string(), email=string()),
}

_WRITE_404 = (404, "not_found (unknown, or another customer's)")
_REFUSALS = (
    "invoice_not_changeable / no_invoice / change_in_progress / title_change_used / "
    "same_type / same_medium / vat_needs_company"
)


def invoice_operations(operation: Any) -> tuple[Any, ...]:
    """The operations, built with :class:`zhike.servers.backend.openapi.Operation`."""
    return (
        operation("GET", f"{API}/orders/{{order_id}}/invoice",
                  "The customer's invoices of an order, with changes and what is allowed",
                  "invoices", (200, "OrderInvoices"),
                  ((404, "not_found (unknown, or another customer's)"),
                   (400, "invalid_customer_id")),
                  query=(("customer_id", "the customer asking (required)"),)),
        operation("POST", f"{API}/orders/{{order_id}}/invoice/changes",
                  "Change the invoice's title, type or medium (re-issued)", "invoices",
                  (201, "InvoiceChange"),
                  (_WRITE_404, (409, _REFUSALS),
                   (422, "invalid_change_kind / invalid_title / invalid_tax_number / "
                         "same_title / vat_details_missing / mailing_incomplete")),
                  body="InvoiceChangeRequest"),
        operation("POST", f"{API}/orders/{{order_id}}/invoice/resend",
                  "Send an issued electronic invoice to an email", "invoices",
                  (200, "OrderInvoices"),
                  (_WRITE_404,
                   (409, "invoice_not_changeable / no_invoice / paper_invoice / "
                         "invoice_not_issued"),
                   (422, "invalid_email")),
                  body="InvoiceResend"),
    )  # fmt: skip
