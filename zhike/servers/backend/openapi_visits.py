"""The OpenAPI description of the installation and repair visit routes.

:data:`VISIT_OPERATIONS` holds the keyword arguments of one
:class:`~zhike.servers.backend.openapi.Operation` per route, and :data:`VISIT_SCHEMAS` the
component schemas they name; :mod:`zhike.servers.backend.openapi` adds both.
"""

from __future__ import annotations

from typing import Any

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
_404 = (404, "not_found (unknown, or another customer's)")
_SLOT_ERRORS = "invalid_date / invalid_period"

VISIT_OPERATIONS: tuple[dict[str, Any], ...] = (
    dict(method="GET", path=f"{API}/orders/{{order_id}}/visit-options",
         summary="What each line of the customer's order allows, and the free slots",
         tag="visits", ok=(200, "VisitOptions"), errors=(_404,),
         query=(("customer_id", "the customer acting (required)"),)),
    dict(method="POST", path=f"{API}/orders/{{order_id}}/visits",
         summary="Book an installation or repair visit", tag="visits", ok=(201, "Visit"),
         errors=(_404, (409, "not_installable / install_not_allowed / repair_not_allowed / "
                        "out_of_warranty / visit_exists / slot_full"),
                 (422, f"invalid_kind / {_SLOT_ERRORS} / invalid_item / invalid_address / "
                       "invalid_phone / invalid_problem")),
         body="VisitRequest"),
    dict(method="GET", path=f"{API}/customers/{{customer_id}}/visits",
         summary="The customer's visits, newest first", tag="visits", ok=(200, "VisitList"),
         query=(("order_id", "only this order's visits"),)),
    dict(method="PUT", path=f"{API}/visits/{{visit_id}}/slot", summary="Move a visit",
         tag="visits", ok=(200, "Visit"),
         errors=(_404, (409, "visit_closed / visit_started / too_late / same_slot / slot_full"),
                 (422, _SLOT_ERRORS)),
         body="VisitSlotChange"),
    dict(method="POST", path=f"{API}/visits/{{visit_id}}/cancel", summary="Cancel a visit",
         tag="visits", ok=(200, "Visit"),
         errors=(_404, (409, "visit_closed / visit_started / too_late")),
         body="ActingCustomer"),
)  # fmt: skip

_DAY = string("China-time day, YYYY-MM-DD", fmt="date")
_PERIOD = enum("am", "pm")

VISIT_SCHEMAS: dict[str, Schema] = {
    "Visit": obj(
        ("visit_id", "order_id", "kind", "status", "date", "period", "slot_label"),
        visit_id=string("SV + 8 digits"),
        order_id=string(),
        item_position=integer("the order line, from 1"),
        sku=string(),
        product_name=string(),
        kind=enum("install", "repair"),
        status=enum("booked", "assigned", "done", "cancelled"),
        date=_DAY,
        period=_PERIOD,
        slot_label=string("the slot in words"),
        address=string("personal data"),
        phone=string("personal data"),
        problem=string(),
        paid=boolean(),
        engineer=string("full name; show it masked", nullable=True),
        created_at=string(fmt="date-time"),
        updated_at=string(fmt="date-time"),
    ),
    "VisitList": obj(("visits",), visits=array(ref("Visit"))),
    "VisitOptions": obj(
        ("order_id", "status", "items", "earliest_date", "free_slots"),
        order_id=string(),
        status=string(),
        address=string("personal data"),
        phone=string("personal data"),
        items=array(
            obj(
                ("position", "sku", "installable", "in_warranty"),
                position=integer(),
                sku=string(),
                name=string(),
                installable=boolean(),
                install_visit_id=string(nullable=True),
                warranty_days=integer(),
                delivered_days=integer("null until delivered"),
                in_warranty=boolean(),
            )
        ),
        earliest_date=_DAY,
        free_slots=array(obj(("date", "period"), date=_DAY, period=_PERIOD, slot_label=string())),
    ),
    "VisitRequest": obj(
        ("customer_id", "kind", "date", "period"),
        customer_id=string(),
        kind=enum("install", "repair"),
        date=_DAY,
        period=_PERIOD,
        item_position=integer("default: first installable line / first line"),
        address=string("8-200 characters; default: the order's", nullable=True),
        phone=string("mainland mobile; default: the order's", nullable=True),
        problem=string("repair: 1-500 characters"),
        paid=boolean(),
    ),
    "VisitSlotChange": obj(
        ("customer_id", "date", "period"), customer_id=string(), date=_DAY, period=_PERIOD
    ),
}
