"""The OpenAPI operations and schemas of the pre-sales routes (:mod:`.api.presales`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from zhike.servers.backend.openapi_schemas import (
    Schema,
    array,
    boolean,
    enum,
    integer,
    obj,
    ref,
    string,
)

API = "/api/v1"
T = TypeVar("T")

_PRODUCT = {
    "sku": string(),
    "name": string(),
    "category": string(),
    "brand": string(),
    "seller": string("京选自营 for the platform's own"),
    "price_fen": integer("current price"),
    "stock": integer(),
    "in_stock": boolean(),
    "restock_at": string("expected back in stock", fmt="date-time", nullable=True),
    "return_days": integer(),
    "exchange_days": integer(),
    "warranty_days": integer(),
    "installable": boolean(),
    "spec": {"type": "object", "additionalProperties": {"type": "string"}},
}

PRESALES_SCHEMAS: dict[str, Schema] = {
    "Product": obj(("sku", "name", "price_fen", "stock", "spec"), **_PRODUCT),
    "ProductMatches": obj(
        ("products",),
        products=array(obj(("sku", "score"), **_PRODUCT, score=integer("higher is better"))),
        named=array(string("brands and search keywords the query names")),
    ),
    "Compatibility": obj(
        ("sku", "answer", "fits"),
        sku=string(),
        answer=enum("yes", "no", "unknown"),
        fits=array(string()),
        device=string("the device named in the question", nullable=True),
    ),
    "ShippingQuote": obj(
        ("sku", "quantity", "in_stock", "goods_fen", "rule"),
        sku=string(),
        seller=string(),
        quantity=integer(),
        region=string(nullable=True),
        remote=boolean(),
        in_stock=boolean(),
        restock_at=string(fmt="date-time", nullable=True),
        days_min=integer("null without a region or while out of stock"),
        days_max=integer(),
        goods_fen=integer(),
        fee_fen=integer("null: the shop's fee is on the product page"),
        free_shipping=boolean(),
        missing_for_free_fen=integer("what is missing to ship free, or null"),
        remote_extra_fen=integer(),
        rule=string("the shop's fee rule in Chinese"),
    ),
    "ShippingRules": obj(
        ("rules",),
        rules=array(
            obj(
                ("seller", "text"),
                seller=string(),
                base_fee_fen=integer(),
                free_over_fen=integer("null: never free"),
                remote_extra_fen=integer(),
                extra_days=integer(),
                text=string(),
            )
        ),
    ),
}


def presales_operations(Operation: Callable[..., T]) -> tuple[T, ...]:  # noqa: N803
    """The pre-sales routes, built with ``openapi.Operation`` (passed in: no import cycle)."""
    missing = (404, "product_not_found")
    return (
        Operation("GET", f"{API}/products", "Products a customer's words name, best first",
                  "presales", (200, "ProductMatches"),
                  ((422, "invalid_query / invalid_limit"),),
                  query=(("q", "the customer's words"), ("limit", "1-10, default 5"))),
        Operation("GET", f"{API}/products/{{sku}}", "One product", "presales",
                  (200, "Product"), (missing,)),
        Operation("GET", f"{API}/products/{{sku}}/compatibility",
                  "Whether an accessory fits the device named", "presales",
                  (200, "Compatibility"), (missing, (422, "invalid_query")),
                  query=(("device", "the customer's words naming a device"),)),
        Operation("GET", f"{API}/products/{{sku}}/shipping",
                  "Delivery days and fee to a region", "presales", (200, "ShippingQuote"),
                  (missing, (422, "invalid_quantity / unknown_region / region_not_served")),
                  query=(("place", "words naming a province or city"),
                         ("quantity", "1-99, default 1"))),
        Operation("GET", f"{API}/shipping/rules", "Every shop's shipping-fee rule",
                  "presales", (200, "ShippingRules")),
    )  # fmt: skip


__all__ = ["PRESALES_SCHEMAS", "presales_operations", "ref"]
