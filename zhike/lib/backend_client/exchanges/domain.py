"""Frozen exchange objects and their JSON parsers (pure: no HTTP, no database).

A parser raises :class:`~zhike.lib.backend_client.errors.BackendError` (code
``invalid_response``) when a document does not have the expected shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.lib.backend_client.domain import Ticket
from zhike.lib.backend_client.errors import BackendError

T = TypeVar("T")
SIZE, COLOUR, DEFECT = "size", "colour", "defect"
EXCHANGE_REASONS = (SIZE, COLOUR, DEFECT)
EXCHANGE_STATUSES = ("requested", "picked_up", "reshipped", "completed")


@dataclass(frozen=True)
class ExchangeVariant:
    """Another variant of the ordered product's family (size, colour)."""

    sku: str
    name: str
    colour: str
    size: str
    in_stock: bool


@dataclass(frozen=True)
class ExchangeCheck:
    """Whether an order line may be exchanged; ``code``/``message`` say why not.

    ``colour`` and ``size`` describe the ordered variant, ``variants`` its siblings.

    ``delivered_days`` is ``None`` before delivery; ``stock`` is the same SKU's (a defect
    exchange sends the same SKU again).
    """

    order_id: str
    sku: str
    name: str
    eligible: bool
    exchange_days: int = 0
    delivered_days: int | None = None
    code: str | None = None
    message: str = ""
    stock: int = 0
    variants: tuple[ExchangeVariant, ...] = ()
    colour: str = ""
    size: str = ""


@dataclass(frozen=True)
class Exchange:
    """An exchange (status requested -> picked_up -> reshipped -> completed).

    The courier picks the item up on ``pickup_date`` within ``pickup_slot``; ``courier``
    and ``tracking_number`` are the new item's shipment once reshipped.
    """

    exchange_id: str
    order_id: str
    sku: str
    new_sku: str
    reason: str
    status: str
    pickup_date: str
    pickup_slot: str
    quantity: int = 1
    note: str = ""
    courier: str | None = None
    tracking_number: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Dispute:
    """A disputed return: its ticket, the evidence kinds stored, when to expect a reply."""

    ticket: Ticket
    order_id: str
    evidence: tuple[tuple[str, str], ...]
    reply_within_hours: int


def _strict(parse: Callable[..., T]) -> Callable[..., T]:
    def wrapper(data: Any, *args: Any) -> T:
        if not isinstance(data, dict):
            raise BackendError("invalid backend response: not an object", code="invalid_response")
        try:
            return parse(data, *args)
        except BackendError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackendError(
                f"invalid backend response ({parse.__name__}): {error!r}", code="invalid_response"
            ) from error

    wrapper.__name__ = parse.__name__
    wrapper.__doc__ = parse.__doc__
    return wrapper


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _optional(value: Any) -> str | None:
    return None if value in (None, "") else _text(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(
        timezone.utc
    )


def _variant(data: dict[str, Any]) -> ExchangeVariant:
    return ExchangeVariant(
        sku=_text(data["sku"]),
        name=_text(data.get("name")),
        colour=_text(data.get("colour")),
        size=_text(data.get("size")),
        in_stock=bool(data["in_stock"]),
    )


@_strict
def exchange_check_from_json(data: dict[str, Any]) -> ExchangeCheck:
    """``{"order_id", "sku", "eligible", "code", "message", "variants", ...}``."""
    delivered = data.get("delivered_days")
    variants = data.get("variants") or []
    if not isinstance(variants, list):
        raise ValueError("variants is not a list")
    return ExchangeCheck(
        order_id=_text(data["order_id"]),
        sku=_text(data["sku"]),
        name=_text(data.get("name")),
        eligible=bool(data["eligible"]),
        exchange_days=_int(data.get("exchange_days") or 0),
        delivered_days=None if delivered is None else _int(delivered),
        code=_optional(data.get("code")),
        message=_text(data.get("message")),
        stock=_int(data.get("stock") or 0),
        variants=tuple(_variant(item) for item in variants),
        colour=_text(data.get("colour")),
        size=_text(data.get("size")),
    )


@_strict
def exchange_from_json(data: dict[str, Any]) -> Exchange:
    """One exchange document."""
    return Exchange(
        exchange_id=_text(data["exchange_id"]).upper(),
        order_id=_text(data["order_id"]).upper(),
        sku=_text(data["sku"]),
        new_sku=_text(data["new_sku"]),
        reason=_text(data["reason"]),
        status=_text(data["status"]),
        pickup_date=_text(data["pickup_date"]),
        pickup_slot=_text(data["pickup_slot"]),
        quantity=_int(data.get("quantity") or 1),
        note=_text(data.get("note")),
        courier=_optional(data.get("courier")),
        tracking_number=_optional(data.get("tracking_number")),
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
    )


@_strict
def exchanges_from_json(data: dict[str, Any]) -> list[Exchange]:
    """``{"exchanges": [...]}``."""
    items = data["exchanges"]
    if not isinstance(items, list):
        raise ValueError("exchanges is not a list")
    return [exchange_from_json(item) for item in items]


@_strict
def dispute_from_json(data: dict[str, Any], ticket: Callable[[Any], Ticket]) -> Dispute:
    """``{"ticket", "order_id", "evidence", "reply_within_hours"}`` (``ticket`` parses it)."""
    evidence = data["evidence"]
    if not isinstance(evidence, list):
        raise ValueError("evidence is not a list")
    return Dispute(
        ticket=ticket(data["ticket"]),
        order_id=_text(data["order_id"]).upper(),
        evidence=tuple((_text(item["kind"]), _text(item["content"])) for item in evidence),
        reply_within_hours=_int(data["reply_within_hours"]),
    )
