"""JSON documents of the pre-sales routes (products, fit, shipping quotes and rules).

Shapes in docs/backend-api.md ("Pre-sales"); money is integer fen, times ISO 8601.
"""

from __future__ import annotations

from datetime import datetime

from zhike.servers.backend.models import Product
from zhike.servers.backend.serializers import JSON, iso
from zhike.servers.backend.services.presales import SearchResult, ShippingQuote
from zhike.servers.backend.services.product_search import Compatibility, spec_of
from zhike.servers.backend.tables.presales import ShippingRule


def product_json(product: Product, restock_at: datetime | None = None) -> JSON:
    """One product of the catalogue."""
    return {
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "brand": product.brand,
        "seller": product.seller,
        "price_fen": product.price_fen,
        "stock": product.stock,
        "in_stock": product.stock > 0,
        "restock_at": iso(restock_at),
        "return_days": product.return_days,
        "exchange_days": product.exchange_days,
        "warranty_days": product.warranty_days,
        "installable": bool(product.installable),
        "spec": spec_of(product),
    }


def matches_json(found: SearchResult) -> JSON:
    """The search answer: products best first with their scores, and the words named."""
    return {
        "products": [{**product_json(m.product), "score": m.score} for m in found.matches],
        "named": found.named,
    }


def compatibility_json(sku: str, result: Compatibility) -> JSON:
    """Whether a product fits the device named."""
    return {
        "sku": sku,
        "answer": result.answer,
        "fits": list(result.fits),
        "device": result.device,
    }


def quote_json(quote: ShippingQuote) -> JSON:
    """Delivery days and fee of a quantity of a product (to a region when named)."""
    region = quote.region
    return {
        "sku": quote.product.sku,
        "seller": quote.product.seller,
        "quantity": quote.quantity,
        "region": None if region is None else region.name,
        "remote": bool(region is not None and region.remote),
        "in_stock": quote.in_stock,
        "restock_at": iso(quote.restock_at),
        "days_min": quote.days_min,
        "days_max": quote.days_max,
        "goods_fen": quote.goods_fen,
        "fee_fen": quote.fee_fen,
        "free_shipping": quote.free_shipping,
        "missing_for_free_fen": quote.missing_for_free_fen,
        "remote_extra_fen": quote.remote_extra_fen,
        "rule": quote.rule,
    }


def rules_json(rules: list[tuple[ShippingRule, str]]) -> JSON:
    """Every shop's fee rule."""
    return {
        "rules": [
            {
                "seller": rule.seller,
                "base_fee_fen": rule.base_fee_fen,
                "free_over_fen": rule.free_over_fen,
                "remote_extra_fen": rule.remote_extra_fen,
                "extra_days": rule.extra_days,
                "text": text,
            }
            for rule, text in rules
        ]
    }
