"""Parsing of the backend's JSON documents into the domain objects of :mod:`.base`.

Every function raises :class:`~zhike.backend_client.base.BackendError` (code
``invalid_response``) when the document does not have the expected shape, so a broken or
foreign server never surfaces as a ``KeyError`` inside an action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.backend_client.base import (
    BackendError,
    Customer,
    Logistics,
    Order,
    OrderItem,
    Refund,
    TrackingEvent,
)

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
    )


@_strict
def order_item_from_json(data: dict[str, Any]) -> OrderItem:
    """``{"sku", "name", "quantity", "price_fen"}``."""
    return OrderItem(
        sku=_str(data.get("sku")),
        name=_str(data["name"]),
        quantity=_int(data["quantity"]),
        price_fen=_int(data["price_fen"]),
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
    )


@_strict
def customer_from_json(data: dict[str, Any]) -> Customer:
    """A customer account."""
    return Customer(
        customer_id=_str(data["customer_id"]).upper(),
        name=_str(data["name"]),
        phone=_str(data.get("phone")),
        vip=bool(data.get("vip", False)),
    )


@_strict
def orders_from_json(data: dict[str, Any]) -> list[Order]:
    """``{"customer_id": ..., "orders": [...]}`` as a list of orders."""
    orders = data["orders"]
    if not isinstance(orders, list):
        raise ValueError("orders is not a list")
    return [order_from_json(order) for order in orders]
