"""JSON documents of delivery changes and return pickups (see docs/backend-api.md)."""

from __future__ import annotations

from zhike.servers.backend.serializers import JSON, iso
from zhike.servers.backend.tables.delivery import DeliveryChange, ReturnPickup


def delivery_change_json(change: DeliveryChange) -> JSON:
    """A delivery change (interception, return, delivery window, receiver phone, pickup)."""
    return {
        "change_id": change.id,
        "order_id": change.order_id,
        "kind": change.kind,
        "status": change.status,
        "fee_fen": change.fee_fen or 0,
        "window_date": change.window_date,
        "window_slot": change.window_slot,
        "phone": change.phone,
        "note": change.note,
        "created_at": iso(change.created_at),
        "updated_at": iso(change.updated_at),
    }


def delivery_changes_json(changes: list[DeliveryChange]) -> JSON:
    """``{"changes": [...]}``, oldest first."""
    return {"changes": [delivery_change_json(change) for change in changes]}


def return_pickup_json(pickup: ReturnPickup) -> JSON:
    """A return pickup (上门取件) of a refund."""
    return {
        "order_id": pickup.order_id,
        "refund_id": pickup.refund_id,
        "courier": pickup.courier,
        "pickup_date": pickup.pickup_date,
        "pickup_slot": pickup.pickup_slot,
        "status": pickup.status,
        "updated_at": iso(pickup.updated_at),
    }


def pickup_answer_json(pickup: ReturnPickup | None) -> JSON:
    """``{"pickup": ...}`` (``null`` when the order has no pickup of an open refund)."""
    return {"pickup": None if pickup is None else return_pickup_json(pickup)}
