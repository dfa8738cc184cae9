"""The OpenAPI operations and schemas of the delivery-change routes (``api/delivery.py``).

Kept apart from :mod:`zhike.servers.backend.openapi` (which adds them to its table): the
operations are the keyword arguments of its ``Operation``.
"""

from __future__ import annotations

from typing import Any

from zhike.servers.backend.openapi_schemas import (
    NULLABLE_TIME,
    Schema,
    array,
    enum,
    integer,
    obj,
    ref,
    string,
)

API = "/api/v1"
_ORDER = f"{API}/orders/{{order_id}}"
_WRITE_404 = (404, "not_found (unknown, or another customer's)")
_READ_404 = (404, "not_found (unknown, or another customer's)")
_WINDOW_422 = (422, "invalid_date / date_out_of_window / invalid_slot")

DELIVERY_OPERATIONS: tuple[dict[str, Any], ...] = (
    {"method": "POST", "path": f"{_ORDER}/interceptions",
     "summary": "Intercept a shipped parcel or have it returned to the sender",
     "tag": "orders", "ok": (201, "DeliveryChange"),
     "errors": (_WRITE_404, (409, "not_shipped / already_delivered / interception_not_allowed"
                                  " / interception_exists / courier_cannot_intercept"),
                (422, "invalid_kind")),
     "body": "InterceptionRequest"},
    {"method": "GET", "path": f"{_ORDER}/delivery-changes",
     "summary": "The delivery changes of the customer's order, oldest first", "tag": "orders",
     "ok": (200, "DeliveryChangeList"), "errors": (_READ_404,),
     "query": (("customer_id", "the acting customer (required)"),)},
    {"method": "PUT", "path": f"{_ORDER}/delivery-window",
     "summary": "Choose the delivery day (tomorrow to 7 days ahead) and slot", "tag": "orders",
     "ok": (200, "DeliveryChange"),
     "errors": (_WRITE_404, (409, "already_delivered / delivery_window_not_allowed / "
                                  "out_for_delivery / appointment_not_supported"), _WINDOW_422),
     "body": "WindowRequest"},
    {"method": "PUT", "path": f"{_ORDER}/receiver-phone",
     "summary": "Change the receiver's phone before delivery", "tag": "orders",
     "ok": (200, "DeliveryChange"),
     "errors": (_WRITE_404, (409, "already_delivered / phone_not_changeable / same_phone"),
                (422, "invalid_phone")),
     "body": "ReceiverPhoneChange"},
    {"method": "GET", "path": f"{_ORDER}/return-pickup",
     "summary": "The return pickup of an open refund of the order (null when none)",
     "tag": "orders", "ok": (200, "PickupAnswer"), "errors": (_READ_404,),
     "query": (("customer_id", "the acting customer (required)"),)},
    {"method": "PUT", "path": f"{_ORDER}/return-pickup",
     "summary": "Move the return pickup to another day (tomorrow to 7 days ahead), am or pm",
     "tag": "orders", "ok": (200, "ReturnPickup"),
     "errors": (_WRITE_404, (409, "no_pickup / pickup_done / same_window"), _WINDOW_422),
     "body": "WindowRequest"},
)  # fmt: skip

_SLOT = enum("am", "pm", "evening")

DELIVERY_SCHEMAS: dict[str, Schema] = {
    "DeliveryChange": obj(
        ("change_id", "order_id", "kind", "status", "fee_fen", "created_at"),
        change_id=string("DC + 8 digits"),
        order_id=string(),
        kind=enum("intercept", "return", "delivery_window", "receiver_phone", "pickup_window"),
        status=enum("requested", "intercepted", "failed", "done"),
        fee_fen=integer("the courier's interception fee"),
        window_date=string("YYYY-MM-DD (China time)", nullable=True),
        window_slot=string("am / pm / evening", nullable=True),
        phone=string("the new receiver phone", nullable=True),
        note=string("the courier's answer or a remark", nullable=True),
        created_at=string(fmt="date-time"),
        updated_at=NULLABLE_TIME,
    ),
    "DeliveryChangeList": obj(("changes",), changes=array(ref("DeliveryChange"))),
    "ReturnPickup": obj(
        ("order_id", "refund_id", "courier", "pickup_date", "pickup_slot", "status"),
        order_id=string(),
        refund_id=string(),
        courier=string(),
        pickup_date=string("YYYY-MM-DD (China time)"),
        pickup_slot=enum("am", "pm"),
        status=enum("scheduled", "picked_up", "cancelled"),
        updated_at=NULLABLE_TIME,
    ),
    "PickupAnswer": obj(("pickup",), pickup={**ref("ReturnPickup"), "nullable": True}),
    "InterceptionRequest": obj(
        ("customer_id",), customer_id=string(), kind=enum("intercept", "return")
    ),
    "WindowRequest": obj(
        ("customer_id", "date", "slot"),
        customer_id=string(),
        date=string("YYYY-MM-DD, tomorrow to 7 days ahead"),
        slot=_SLOT,
    ),
    "ReceiverPhoneChange": obj(
        ("customer_id", "phone"), customer_id=string(), phone=string("mainland mobile number")
    ),
}
