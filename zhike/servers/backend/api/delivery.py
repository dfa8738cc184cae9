"""``/api/v1/orders/<id>/...``: interceptions, delivery windows, receiver phone, pickups."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.delivery_serializers import (
    delivery_change_json,
    delivery_changes_json,
    pickup_answer_json,
    return_pickup_json,
)
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import JSON
from zhike.servers.backend.services import delivery, pickups


def delivery_blueprint() -> Blueprint:
    """Delivery-change routes (same ``/orders`` prefix as the order routes)."""
    bp = Blueprint("delivery", url_prefix=f"{API_PREFIX}/orders")

    @bp.post("/<order_id:str>/interceptions")
    async def intercept(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            change = await delivery.request_interception(
                session, order_id, body["customer_id"], body["kind"] or "intercept"
            )
            return delivery_change_json(change)

        return json_response(await database(request).run(work), status=201)

    @bp.get("/<order_id:str>/delivery-changes")
    async def changes(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id") or ""
        async with database(request).session() as session:
            found = await delivery.list_changes(session, order_id, customer_id)
            return json_response(delivery_changes_json(found))

    @bp.put("/<order_id:str>/delivery-window")
    async def window(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            change = await delivery.schedule_delivery(
                session, order_id, body["customer_id"], body["date"], body["slot"]
            )
            return delivery_change_json(change)

        return json_response(await database(request).run(work))

    @bp.put("/<order_id:str>/receiver-phone")
    async def phone(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            change = await delivery.change_receiver_phone(
                session, order_id, body["customer_id"], body["phone"]
            )
            return delivery_change_json(change)

        return json_response(await database(request).run(work))

    @bp.get("/<order_id:str>/return-pickup")
    async def pickup(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id") or ""
        async with database(request).session() as session:
            found = await pickups.get_return_pickup(session, order_id, customer_id)
            return json_response(pickup_answer_json(found))

    @bp.put("/<order_id:str>/return-pickup")
    async def reschedule(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            moved = await pickups.reschedule_pickup(
                session, order_id, body["customer_id"], body["date"], body["slot"]
            )
            return return_pickup_json(moved)

        return json_response(await database(request).run(work))

    return bp
