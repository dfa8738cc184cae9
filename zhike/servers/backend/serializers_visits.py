"""JSON documents of installation and repair visits (for the API and the in-process client)."""

from __future__ import annotations

from datetime import date

from zhike.servers.backend.models import Visit
from zhike.servers.backend.serializers import JSON, iso
from zhike.servers.backend.services.visit_slots import slot_label
from zhike.servers.backend.services.visits import ItemOption, VisitOptions


def visit_json(visit: Visit) -> JSON:
    """A visit; ``slot_label`` is the slot in words (``12月5日（周六）上午 9:00–12:00``)."""
    return {
        "visit_id": visit.id,
        "order_id": visit.order_id,
        "item_position": visit.item_position,
        "sku": visit.sku,
        "product_name": visit.product_name,
        "kind": visit.kind,
        "status": visit.status,
        "date": visit.visit_date,
        "period": visit.period,
        "slot_label": slot_label(date.fromisoformat(str(visit.visit_date)), str(visit.period)),
        "address": visit.address,
        "phone": visit.phone,
        "problem": visit.problem,
        "paid": bool(visit.paid),
        "engineer": visit.engineer,
        "created_at": iso(visit.created_at),
        "updated_at": iso(visit.updated_at),
    }


def visits_json(visits: list[Visit]) -> JSON:
    """A list of visits."""
    return {"visits": [visit_json(visit) for visit in visits]}


def item_option_json(item: ItemOption) -> JSON:
    """What one order line allows."""
    return {
        "position": item.position,
        "sku": item.sku,
        "name": item.name,
        "installable": item.installable,
        "install_visit_id": item.install_visit_id,
        "warranty_days": item.warranty_days,
        "delivered_days": item.delivered_days,
        "in_warranty": item.in_warranty,
    }


def visit_options_json(options: VisitOptions) -> JSON:
    """An order's visit options: lines, the order's address and phone, free slots."""
    order = options.order
    return {
        "order_id": order.id,
        "status": order.status,
        "address": order.shipping_address,
        "phone": order.phone,
        "items": [item_option_json(item) for item in options.items],
        "earliest_date": options.earliest.isoformat(),
        "free_slots": [
            {"date": day.isoformat(), "period": period, "slot_label": slot_label(day, period)}
            for day, period in options.free_slots
        ],
    }
