"""``/api/v1``: 价保 (price protection) checks, applications and lists; contacts.

Routes (see docs/backend-api.md, "价保 and contacts"):

* ``POST /orders/{order_id}/price-protection/checks`` -- the verdict of each item;
* ``POST /orders/{order_id}/price-protections`` -- apply (refund the difference);
* ``GET /customers/{customer_id}/price-protections`` -- the customer's applications;
* ``GET /orders/{order_id}/courier?customer_id=`` -- the courier of a parcel on its way;
* ``GET /orders/{order_id}/merchants?customer_id=`` -- how to reach the order's shops;
* ``GET /products/{sku}/merchant`` -- how to reach the shop selling a product.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import JSON
from zhike.servers.backend.serializers_price_protection import (
    application_json,
    courier_json,
    merchant_json,
    merchants_json,
    price_check_json,
    protections_json,
)
from zhike.servers.backend.services import contacts
from zhike.servers.backend.services import price_protection as rules
from zhike.servers.backend.services.common import existing_customer


def price_protection_blueprint() -> Blueprint:
    """价保 and contact routes."""
    bp = Blueprint("price_protection", url_prefix=API_PREFIX)

    @bp.post("/orders/<order_id:str>/price-protection/checks")
    async def check(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            found = await rules.check_price_protection(session, order_id, body["customer_id"])
            return price_check_json(found)

        return json_response(await database(request).run(work))

    @bp.post("/orders/<order_id:str>/price-protections")
    async def apply(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            granted = await rules.apply_price_protection(
                session, order_id, body["customer_id"], body["positions"]
            )
            return application_json(granted)

        return json_response(await database(request).run(work), status=201)

    @bp.get("/customers/<customer_id:str>/price-protections")
    async def protections(request: Request, customer_id: str) -> HTTPResponse:
        order_id = request.args.get("order_id") or None
        async with database(request).session() as session:
            customer = await existing_customer(session, customer_id)
            rows = await rules.list_price_protections(session, customer.id, order_id)
            return json_response(protections_json(rows))

    @bp.get("/orders/<order_id:str>/courier")
    async def courier(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id") or ""

        async def work(session: AsyncSession) -> JSON:
            return courier_json(await contacts.courier_contact(session, order_id, customer_id))

        return json_response(await database(request).run(work))

    @bp.get("/orders/<order_id:str>/merchants")
    async def merchants(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id") or ""

        async def work(session: AsyncSession) -> JSON:
            return merchants_json(await contacts.order_merchants(session, order_id, customer_id))

        return json_response(await database(request).run(work))

    @bp.get("/products/<sku:str>/merchant")
    async def product_merchant(request: Request, sku: str) -> HTTPResponse:
        async with database(request).session() as session:
            return json_response(merchant_json(await contacts.product_merchant(session, sku)))

    return bp
