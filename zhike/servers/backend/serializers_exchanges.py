"""JSON documents of exchanges, exchange checks and disputed returns (docs/backend-api.md)."""

from __future__ import annotations

from zhike.servers.backend.models import DisputeEvidence, Exchange
from zhike.servers.backend.serializers import JSON, iso, ticket_json
from zhike.servers.backend.services.exchanges import ExchangeCheck
from zhike.servers.backend.services.return_disputes import Dispute


def exchange_json(exchange: Exchange) -> JSON:
    """An exchange with its pickup window and, once reshipped, the new item's shipment."""
    return {
        "exchange_id": exchange.id,
        "order_id": exchange.order_id,
        "sku": exchange.sku,
        "new_sku": exchange.new_sku,
        "quantity": exchange.quantity,
        "reason": exchange.reason,
        "note": exchange.note or "",
        "status": exchange.status,
        "pickup_date": exchange.pickup_date,
        "pickup_slot": exchange.pickup_slot,
        "courier": exchange.courier,
        "tracking_number": exchange.tracking_number,
        "created_at": iso(exchange.created_at),
        "updated_at": iso(exchange.updated_at),
    }


def exchange_list_json(exchanges: list[Exchange]) -> JSON:
    """``{"exchanges": [...]}``, oldest first."""
    return {"exchanges": [exchange_json(exchange) for exchange in exchanges]}


def exchange_check_json(check: ExchangeCheck) -> JSON:
    """Whether an order line may be exchanged (``eligible``), why not, and its variants."""
    return {
        "order_id": check.order_id,
        "sku": check.sku,
        "name": check.name,
        "exchange_days": check.exchange_days,
        "delivered_days": check.delivered_days,
        "eligible": check.code is None,
        "code": check.code,
        "message": check.message,
        "stock": check.stock,
        "colour": check.colour,
        "size": check.size,
        "variants": [
            {
                "sku": variant.sku,
                "name": variant.name,
                "colour": variant.colour,
                "size": variant.size,
                "in_stock": variant.stock > 0,
            }
            for variant in check.variants
        ],
    }


def evidence_json(evidence: DisputeEvidence) -> JSON:
    """One piece of evidence: ``{"kind": "text"|"image", "content"}``."""
    return {"kind": evidence.kind, "content": evidence.content}


def dispute_json(dispute: Dispute) -> JSON:
    """A disputed return: the ticket, the order, the evidence and the promised reply time."""
    return {
        "ticket": ticket_json(dispute.ticket),
        "order_id": dispute.order_id,
        "evidence": [evidence_json(item) for item in dispute.evidence],
        "reply_within_hours": dispute.reply_within_hours,
    }
