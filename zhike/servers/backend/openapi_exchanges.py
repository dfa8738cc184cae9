"""The OpenAPI description of the exchange and disputed-return routes (their own table).

:data:`OPERATIONS` holds the keyword arguments of
:class:`zhike.servers.backend.openapi.Operation` for each route, which that module adds to
its table; :data:`SCHEMAS` are the component schemas of the documents and bodies.
"""

from __future__ import annotations

from typing import Any

from zhike.servers.backend.openapi_schemas import (
    NULLABLE_TIME,
    TIME,
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
_WRITE_404 = (404, "not_found (unknown, or another customer's)")
_EXCHANGE_STATUSES = ("requested", "picked_up", "reshipped", "completed")

OPERATIONS: tuple[dict[str, Any], ...] = (
    dict(method="GET", path=f"{API}/orders/{{order_id}}/exchange-check",
         summary="Whether the customer's order line may be exchanged, and its variants",
         tag="exchanges", ok=(200, "ExchangeCheck"),
         errors=(_WRITE_404, (422, "invalid_sku")),
         query=(("customer_id", "the customer asking (must own the order)"),
                ("sku", "the ordered SKU (default: the first line)"))),
    dict(method="GET", path=f"{API}/orders/{{order_id}}/exchanges",
         summary="The exchanges of an order, oldest first", tag="exchanges",
         ok=(200, "ExchangeList"), errors=((404, "order_not_found"),)),
    dict(method="POST", path=f"{API}/orders/{{order_id}}/exchanges",
         summary="Request an exchange (size, colour or defect)", tag="exchanges",
         ok=(201, "Exchange"),
         errors=(_WRITE_404,
                 (409, "exchange_not_allowed / order_closed / not_exchangeable / "
                       "exchange_window_passed / "
                       "exchange_exists / not_same_family / out_of_stock"),
                 (422, "invalid_reason / invalid_sku / invalid_new_sku / invalid_pickup_slot "
                       "/ invalid_note")),
         body="ExchangeRequest"),
    dict(method="POST", path=f"{API}/exchanges/{{exchange_id}}/advance",
         summary="Move an exchange one step on (merchant side)", tag="exchanges",
         ok=(200, "Exchange"),
         errors=((404, "not_found"), (409, "exchange_closed"), (422, "invalid_shipment")),
         body="ExchangeAdvance"),
    dict(method="POST", path=f"{API}/orders/{{order_id}}/disputes",
         summary="Dispute a refused return: a return_dispute ticket with the evidence",
         tag="exchanges", ok=(201, "Dispute"),
         errors=(_WRITE_404, (409, "no_return"),
                 (422, "invalid_description / invalid_images")),
         body="DisputeRequest",
         header=("Idempotency-Key", "a repeat with the same key returns the first ticket")),
)  # fmt: skip

SCHEMAS: dict[str, Schema] = {
    "Exchange": obj(
        ("exchange_id", "order_id", "sku", "new_sku", "reason", "status", "pickup_date",
         "pickup_slot"),
        exchange_id=string("EX + 8 digits"),
        order_id=string(),
        sku=string("the ordered SKU"),
        new_sku=string("the SKU sent back (the same one for a defect)"),
        quantity=integer(),
        reason=enum("size", "colour", "defect"),
        note=string(),
        status=enum(*_EXCHANGE_STATUSES),
        pickup_date=string("YYYY-MM-DD, China time"),
        pickup_slot=enum("09:00-12:00", "14:00-18:00"),
        courier=string("the new item's courier, once reshipped", nullable=True),
        tracking_number=string(nullable=True),
        created_at=TIME,
        updated_at=NULLABLE_TIME,
    ),
    "ExchangeList": obj(("exchanges",), exchanges=array(ref("Exchange"))),
    "ExchangeVariant": obj(
        ("sku", "name", "colour", "size", "in_stock"),
        sku=string(), name=string(), colour=string(), size=string(), in_stock=boolean(),
    ),
    "ExchangeCheck": obj(
        ("order_id", "sku", "eligible", "variants"),
        order_id=string(),
        sku=string(),
        name=string(),
        exchange_days=integer("the product's window after delivery (0: none)"),
        delivered_days=integer("whole days since delivery (null: not delivered)"),
        eligible=boolean(),
        code=string("why not (a 409 code of the exchange request)", nullable=True),
        message=string("why not, in Chinese"),
        stock=integer("stock of the same SKU (a defect exchange)"),
        colour=string("the ordered variant's colour"),
        size=string("the ordered variant's size"),
        variants=array(ref("ExchangeVariant")),
    ),
    "Dispute": obj(
        ("ticket", "order_id", "evidence", "reply_within_hours"),
        ticket=ref("Ticket"),
        order_id=string(),
        evidence=array(obj(("kind", "content"), kind=enum("text", "image"), content=string())),
        reply_within_hours=integer(),
    ),
    "ExchangeRequest": obj(
        ("customer_id", "reason"),
        customer_id=string(),
        reason=enum("size", "colour", "defect"),
        new_sku=string("size/colour: the variant wanted", nullable=True),
        sku=string("the ordered SKU (default: the first line)", nullable=True),
        pickup_slot=enum("09:00-12:00", "14:00-18:00"),
        note=string("at most 500 characters"),
    ),
    "ExchangeAdvance": obj(
        (),
        courier=string("reshipping: the courier", nullable=True),
        tracking_number=string("reshipping: the tracking number", nullable=True),
    ),
    "DisputeRequest": obj(
        ("customer_id", "description"),
        customer_id=string(),
        description=string("2-1000 characters"),
        images=array(string("an image URL or a channel's media id")),
        channel=string(),
    ),
}  # fmt: skip
