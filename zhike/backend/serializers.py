"""Conversion of model rows to the JSON documents of the REST API.

Times are ISO 8601 strings with a UTC offset; money is integer fen (``*_fen``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from zhike.backend.models import Customer, Logistics, Order, Refund, TrackingEvent

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
        "events": [event_json(event) for event in events],
    }


def refund_json(refund: Refund) -> JSON:
    """A refund request."""
    return {
        "refund_id": refund.id,
        "order_id": refund.order_id,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "status": refund.status,
        "created_at": iso(refund.created_at),
        "updated_at": iso(refund.updated_at),
    }


def order_json(order: Order) -> JSON:
    """An order with items, shipping data, logistics (or null) and refunds."""
    return {
        "order_id": order.id,
        "customer_id": order.customer_id,
        "status": order.status,
        "amount_fen": order.amount_fen,
        "currency": "CNY",
        "items": [
            {"sku": item.sku, "name": item.name, "quantity": item.qty, "price_fen": item.price_fen}
            for item in order.items
        ],
        "recipient": order.recipient,
        "phone": order.phone,
        "shipping_address": order.shipping_address,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "logistics": logistics_json(order.logistics) if order.logistics is not None else None,
        "refunds": [refund_json(refund) for refund in order.refunds],
    }


def customer_json(customer: Customer) -> JSON:
    """A customer account."""
    return {
        "customer_id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "vip": bool(customer.vip),
    }
