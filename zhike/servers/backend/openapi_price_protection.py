"""The OpenAPI description of the 价保 (price protection) and contact routes.

Plain data: :data:`OPERATIONS` holds the keyword arguments of
:class:`zhike.servers.backend.openapi.Operation` (which adds them to its table) and
:data:`SCHEMAS` the component schemas of the documents and request bodies.
"""

from __future__ import annotations

from typing import Any

from zhike.servers.backend.openapi_schemas import (
    TIME,
    Schema,
    array,
    boolean,
    integer,
    obj,
    ref,
    string,
)

API = "/api/v1"
_WRITE_404 = (404, "not_found (unknown, or another customer's)")
_CUSTOMER = (("customer_id", "the customer asking (required; another's order is not_found)"),)

OPERATIONS: tuple[dict[str, Any], ...] = (
    {"method": "POST", "path": f"{API}/orders/{{order_id}}/price-protection/checks",
     "summary": "价保: the verdict of each item of the order (eligible or why not)",
     "tag": "price_protection", "ok": (200, "PriceProtectionCheck"), "errors": (_WRITE_404,),
     "body": "ActingCustomer"},
    {"method": "POST", "path": f"{API}/orders/{{order_id}}/price-protections",
     "summary": "价保: protect the eligible items and refund the difference",
     "tag": "price_protection", "ok": (201, "PriceProtectionApplication"),
     "errors": (_WRITE_404,
                (409, "price_protection_exists / price_protection_not_eligible"),
                (422, "invalid_positions")),
     "body": "PriceProtectionRequest"},
    {"method": "GET", "path": f"{API}/customers/{{customer_id}}/price-protections",
     "summary": "The customer's 价保 applications, newest first", "tag": "price_protection",
     "ok": (200, "PriceProtectionList"), "errors": ((404, "customer_not_found"),),
     "query": (("order_id", "only this order"),)},
    {"method": "GET", "path": f"{API}/orders/{{order_id}}/courier",
     "summary": "The courier of the order's parcel while it is on its way (masked)",
     "tag": "contacts", "ok": (200, "CourierContact"), "errors": (_WRITE_404,),
     "query": _CUSTOMER},
    {"method": "GET", "path": f"{API}/orders/{{order_id}}/merchants",
     "summary": "How to reach the shops of the order", "tag": "contacts",
     "ok": (200, "MerchantList"), "errors": (_WRITE_404,), "query": _CUSTOMER},
    {"method": "GET", "path": f"{API}/products/{{sku}}/merchant",
     "summary": "How to reach the shop selling a product", "tag": "contacts",
     "ok": (200, "Merchant"), "errors": ((404, "product_not_found"),)},
)  # fmt: skip

_CODES = (
    "eligible / already_applied / order_status / product_unavailable / no_protection / "
    "out_of_window / no_drop / other_seller_cheaper / promotion"
)

SCHEMAS: dict[str, Schema] = {
    "PriceProtectionItem": obj(
        ("position", "sku", "name", "eligible", "code", "message", "amount_fen"),
        position=integer("1-based place in the order"),
        sku=string(),
        name=string(),
        seller=string(),
        qty=integer(),
        paid_price_fen=integer(),
        current_price_fen={"type": "integer", "nullable": True},
        eligible=boolean(),
        code=string(_CODES),
        message=string("the verdict in Chinese, safe to show"),
        amount_fen=integer("the difference × quantity when eligible, else 0"),
        window_days=integer(),
        days_since_order=integer(),
    ),
    "PriceProtectionCheck": obj(
        ("order_id", "amount_fen", "items"),
        order_id=string(),
        amount_fen=integer("what applying now refunds"),
        items=array(ref("PriceProtectionItem")),
    ),
    "PriceProtection": obj(
        ("protection_id", "order_id", "position", "amount_fen", "refund_id", "refund_status"),
        protection_id=string("PP + 8 digits"),
        order_id=string(),
        position=integer(),
        sku=string(),
        name=string(),
        seller=string(),
        qty=integer(),
        paid_price_fen=integer(),
        current_price_fen=integer(),
        amount_fen=integer(),
        refund_id=string(),
        refund_status=string(),
        created_at=TIME,
    ),
    "PriceProtectionApplication": obj(
        ("order_id", "refund", "protections"),
        order_id=string(),
        refund=ref("Refund"),
        protections=array(ref("PriceProtection")),
    ),
    "PriceProtectionList": obj(("protections",), protections=array(ref("PriceProtection"))),
    "PriceProtectionRequest": obj(
        ("customer_id",),
        customer_id=string(),
        positions=array(integer("an item's position; all eligible items when absent")),
    ),
    "CourierContact": obj(
        ("order_id", "available", "code", "message"),
        order_id=string(),
        available=boolean(),
        code=string("available / not_shipped / closed / delivered / not_on_the_way / "
                    "not_assigned"),
        message=string("why not, in Chinese"),
        company=string(nullable=True),
        tracking_number=string(nullable=True),
        name=string(nullable=True),
        phone_masked=string("e.g. 138****5678", nullable=True),
        virtual_number=string(nullable=True),
        extension=string(nullable=True),
        station=string(nullable=True),
    ),
    "Merchant": obj(
        ("seller", "self_operated", "channel", "hours"),
        seller=string(),
        self_operated=boolean(),
        channel=string(),
        hours=string(),
        phone=string(nullable=True),
        items=array(string()),
    ),
    "MerchantList": obj(("merchants",), merchants=array(ref("Merchant"))),
}  # fmt: skip
