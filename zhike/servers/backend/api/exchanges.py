"""Exchange routes: check, request and follow exchanges; open a disputed return."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import JSON
from zhike.servers.backend.serializers_exchanges import (
    dispute_json,
    exchange_check_json,
    exchange_json,
    exchange_list_json,
)
from zhike.servers.backend.services import exchanges, return_disputes

IDEMPOTENCY_HEADER = "Idempotency-Key"


def exchanges_blueprint() -> Blueprint:
    """``/api/v1/orders/{order_id}/exchange-check|exchanges|disputes``, ``/api/v1/exchanges``."""
    bp = Blueprint("exchanges", url_prefix=API_PREFIX)

    @bp.get("/orders/<order_id:str>/exchange-check")
    async def check(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id") or ""
        sku = request.args.get("sku") or None
        async with database(request).session() as session:
            found = await exchanges.check_exchange(session, order_id, customer_id, sku)
            return json_response(exchange_check_json(found))

    @bp.get("/orders/<order_id:str>/exchanges")
    async def listing(request: Request, order_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            found = await exchanges.list_exchanges(session, order_id)
            return json_response(exchange_list_json(list(found)))

    @bp.post("/orders/<order_id:str>/exchanges")
    async def create(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            created = await exchanges.request_exchange(
                session,
                order_id,
                body["customer_id"],
                body["reason"],
                body["new_sku"],
                body["sku"],
                body["pickup_slot"],
                body["note"],
            )
            return exchange_json(created)

        return json_response(await database(request).run(work), status=201)

    @bp.post("/exchanges/<exchange_id:str>/advance")
    async def advance(request: Request, exchange_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            moved = await exchanges.advance_exchange(
                session, exchange_id.strip().upper(), body["courier"], body["tracking_number"]
            )
            return exchange_json(moved)

        return json_response(await database(request).run(work))

    @bp.post("/orders/<order_id:str>/disputes")
    async def dispute(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)

        async def work(session: AsyncSession) -> JSON:
            opened = await return_disputes.open_dispute(
                session,
                order_id,
                body["customer_id"],
                body["description"],
                body["images"],
                body["channel"] or "",
                key,
            )
            return dispute_json(opened)

        return json_response(await database(request).run(work), status=201)

    return bp
