"""JSON documents of invoice changes: an invoice with its change history and refusals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from zhike.servers.backend.models import Invoice, InvoiceChange, Order
from zhike.servers.backend.serializers import JSON, iso
from zhike.servers.backend.services.invoice_changes import current_invoice, refusals


def _values(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def change_json(change: InvoiceChange) -> JSON:
    """A change request: what changed, the values before and after, its status."""
    return {
        "change_id": change.id,
        "invoice_id": change.invoice_id,
        "order_id": change.order_id,
        "kind": change.kind,
        "status": change.status,
        "before": _values(change.before),
        "after": _values(change.after),
        "created_at": iso(change.created_at),
    }


def invoice_detail_json(
    invoice: Invoice, changes: Sequence[InvoiceChange], allowed: dict[str, str | None]
) -> JSON:
    """An invoice with its medium, where it was sent, its changes and what it refuses now."""
    return {
        "invoice_id": invoice.id,
        "order_id": invoice.order_id,
        "title": invoice.title,
        "tax_number": invoice.tax_number,
        "type": invoice.type,
        "status": invoice.status,
        "medium": invoice.medium,
        "title_changes": invoice.title_changes or 0,
        "email": invoice.email,
        "mail_recipient": invoice.mail_recipient,
        "mail_phone": invoice.mail_phone,
        "mail_address": invoice.mail_address,
        "issued_at": iso(invoice.issued_at),
        "sent_at": iso(invoice.sent_at),
        "created_at": iso(invoice.created_at),
        "changes": [change_json(change) for change in changes if change.invoice_id == invoice.id],
        "refusals": allowed,
    }


def order_invoices_json(order: Order, changes: Sequence[InvoiceChange]) -> JSON:
    """The invoices of an order (oldest first); ``refusals`` apply to the current one."""
    current = current_invoice(order)
    return {
        "order_id": order.id,
        "order_status": order.status,
        "invoices": [
            invoice_detail_json(
                invoice,
                changes,
                refusals(order, current) if invoice is current else {},
            )
            for invoice in order.invoices
        ],
        "refusals": refusals(order, current),
    }
