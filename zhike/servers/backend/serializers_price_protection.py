"""JSON documents of 价保 (price protection) and contacts (see docs/backend-api.md)."""

from __future__ import annotations

from zhike.servers.backend.models import PriceProtection, Refund
from zhike.servers.backend.serializers import JSON, iso, refund_json
from zhike.servers.backend.services.contacts import CourierAnswer, MerchantContact
from zhike.servers.backend.services.price_protection import Application, ItemCheck, PriceCheck


def item_check_json(item: ItemCheck) -> JSON:
    """The verdict of one order item."""
    return {
        "position": item.position,
        "sku": item.sku,
        "name": item.name,
        "seller": item.seller,
        "qty": item.qty,
        "paid_price_fen": item.paid_price_fen,
        "current_price_fen": item.current_price_fen,
        "eligible": item.eligible,
        "code": item.code,
        "message": item.message,
        "amount_fen": item.amount_fen,
        "window_days": item.window_days,
        "days_since_order": item.days_since_order,
    }


def price_check_json(check: PriceCheck) -> JSON:
    """The verdicts of an order's items and the amount applying would refund."""
    return {
        "order_id": check.order_id,
        "amount_fen": check.amount_fen,
        "items": [item_check_json(item) for item in check.items],
    }


def protection_json(protection: PriceProtection, refund: Refund) -> JSON:
    """One granted application with its refund's status."""
    return {
        "protection_id": protection.id,
        "order_id": protection.order_id,
        "position": protection.position,
        "sku": protection.sku,
        "name": protection.name,
        "seller": protection.seller,
        "qty": protection.qty,
        "paid_price_fen": protection.paid_price_fen,
        "current_price_fen": protection.current_price_fen,
        "amount_fen": protection.amount_fen,
        "refund_id": refund.id,
        "refund_status": refund.status,
        "created_at": iso(protection.created_at),
    }


def application_json(application: Application) -> JSON:
    """A granted application: the refund and the protected items."""
    return {
        "order_id": application.order_id,
        "refund": refund_json(application.refund),
        "protections": [protection_json(p, application.refund) for p in application.protections],
    }


def protections_json(rows: list[tuple[PriceProtection, Refund]]) -> JSON:
    """A list of applications, newest first."""
    return {"protections": [protection_json(protection, refund) for protection, refund in rows]}


def courier_json(answer: CourierAnswer) -> JSON:
    """The courier's contact (masked phone, virtual number) or why there is none."""
    return {
        "order_id": answer.order_id,
        "available": answer.available,
        "code": answer.code,
        "message": answer.message,
        "company": answer.company,
        "tracking_number": answer.tracking_number,
        "name": answer.name,
        "phone_masked": answer.phone_masked,
        "virtual_number": answer.virtual_number,
        "extension": answer.extension,
        "station": answer.station,
    }


def merchant_json(contact: MerchantContact) -> JSON:
    """How to reach one shop."""
    return {
        "seller": contact.seller,
        "self_operated": contact.self_operated,
        "channel": contact.channel,
        "hours": contact.hours,
        "phone": contact.phone,
        "items": list(contact.items),
    }


def merchants_json(contacts: list[MerchantContact]) -> JSON:
    """The shops of an order."""
    return {"merchants": [merchant_json(contact) for contact in contacts]}
