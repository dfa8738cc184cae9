"""Frozen objects of invoice changes and their JSON parsers (pure).

The parsers raise :class:`~zhike.lib.backend_client.errors.BackendError` (code
``invalid_response``) for a document without the expected shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from zhike.lib.backend_client.errors import BackendError

# What a change may change: the title, the type (专票 / 普票) or the medium.
CHANGE_KINDS = ("title", "vat_special", "electronic_normal", "paper", "electronic")
RESEND = "resend"


@dataclass(frozen=True)
class InvoiceChange:
    """A change request (``IC`` + 8 digits): ``kind``, the values before and after."""

    change_id: str
    invoice_id: str
    order_id: str
    kind: str
    status: str
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class InvoiceDetail:
    """An invoice with its medium, where it was sent and its change requests.

    ``status``: requested, issued, rejected or reissuing (being changed); ``medium``:
    electronic or paper; ``refusals`` maps a change kind (or ``resend``) to the reason it
    is not possible now, ``None`` when it is (only on the order's current invoice).
    """

    invoice_id: str
    order_id: str
    title: str
    type: str
    status: str
    medium: str
    tax_number: str | None = None
    title_changes: int = 0
    email: str | None = None
    mail_recipient: str | None = None
    mail_phone: str | None = None
    mail_address: str | None = None
    issued_at: datetime | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None
    changes: tuple[InvoiceChange, ...] = ()
    refusals: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderInvoices:
    """The invoices of one of the customer's orders (oldest first) and what is allowed."""

    order_id: str
    order_status: str
    invoices: tuple[InvoiceDetail, ...]
    refusals: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def current(self) -> InvoiceDetail | None:
        """The latest invoice that was not rejected, else ``None``."""
        valid = [invoice for invoice in self.invoices if invoice.status != "rejected"]
        return valid[-1] if valid else None

    def refusal(self, kind: str) -> str | None:
        """Why ``kind`` (a change kind or ``resend``) is not possible now, else ``None``."""
        return self.refusals.get(kind)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed) as aware UTC; ``None`` or ``""`` stays ``None``.

    (The same rule as :func:`zhike.lib.backend_client.parsing.parse_time`, which cannot be
    imported here without a cycle: the client's base imports this module.)
    """
    if value is None or value == "":
        return None
    text = _str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else _str(value)


def _mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"not an object: {value!r}")
    return dict(value)


def _invalid(what: str, error: Exception) -> BackendError:
    return BackendError(f"invalid backend response ({what}): {error!r}", code="invalid_response")


def _change(data: dict[str, Any]) -> InvoiceChange:
    return InvoiceChange(
        change_id=_str(data["change_id"]),
        invoice_id=_str(data["invoice_id"]),
        order_id=_str(data["order_id"]).upper(),
        kind=_str(data["kind"]),
        status=_str(data["status"]),
        before=_mapping(data.get("before")),
        after=_mapping(data.get("after")),
        created_at=parse_time(data.get("created_at")),
    )


def _detail(data: dict[str, Any]) -> InvoiceDetail:
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        raise ValueError("changes is not a list")
    return InvoiceDetail(
        invoice_id=_str(data["invoice_id"]),
        order_id=_str(data["order_id"]).upper(),
        title=_str(data["title"]),
        type=_str(data["type"]),
        status=_str(data["status"]),
        medium=_str(data.get("medium") or "electronic"),
        tax_number=_opt(data.get("tax_number")),
        title_changes=int(data.get("title_changes") or 0),
        email=_opt(data.get("email")),
        mail_recipient=_opt(data.get("mail_recipient")),
        mail_phone=_opt(data.get("mail_phone")),
        mail_address=_opt(data.get("mail_address")),
        issued_at=parse_time(data.get("issued_at")),
        sent_at=parse_time(data.get("sent_at")),
        created_at=parse_time(data.get("created_at")),
        changes=tuple(_change(change) for change in changes),
        refusals={str(k): _opt(v) for k, v in _mapping(data.get("refusals")).items()},
    )


def invoice_change_from_json(data: Any) -> InvoiceChange:
    """A change request document."""
    try:
        return _change(data)
    except (KeyError, TypeError, ValueError) as error:
        raise _invalid("invoice change", error) from error


def order_invoices_from_json(data: Any) -> OrderInvoices:
    """The invoices of an order."""
    try:
        invoices = data["invoices"]
        if not isinstance(invoices, list):
            raise ValueError("invoices is not a list")
        return OrderInvoices(
            order_id=_str(data["order_id"]).upper(),
            order_status=_str(data["order_status"]),
            invoices=tuple(_detail(invoice) for invoice in invoices),
            refusals={str(k): _opt(v) for k, v in _mapping(data.get("refusals")).items()},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _invalid("order invoices", error) from error
