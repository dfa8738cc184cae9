"""``/api/v1/orders``: reads, cancel, refunds, address, invoices and phone checks."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import ApiError, json_response
from zhike.servers.backend.serializers import (
    JSON,
    invoice_json,
    logistics_json,
    order_json,
    phone_check_json,
    refund_json,
)
from zhike.servers.backend.services import identity, invoices, orders
from zhike.servers.backend.services.common import order_id_of


def orders_blueprint() -> Blueprint:
    """Order routes."""
    bp = Blueprint("orders", url_prefix=f"{API_PREFIX}/orders")

    @bp.get("/<order_id:str>")
    async def get_order(request: Request, order_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            order = await orders.get_order(session, order_id)
            if order is None:
                raise ApiError(404, "order_not_found", f"订单 {order_id_of(order_id)} 不存在")
            return json_response(order_json(order))

    @bp.get("/<order_id:str>/logistics")
    async def get_logistics(request: Request, order_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            return json_response(logistics_json(await orders.get_logistics(session, order_id)))

    @bp.post("/<order_id:str>/cancel")
    async def cancel(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            order = await orders.cancel_order(session, order_id, body["customer_id"])
            return order_json(order)

        return json_response(await database(request).run(work))

    @bp.post("/<order_id:str>/refunds")
    async def refund(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            created = await orders.request_refund(
                session, order_id, body["customer_id"], body["reason"]
            )
            return refund_json(created)

        return json_response(await database(request).run(work), status=201)

    @bp.put("/<order_id:str>/address")
    async def address(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            order = await orders.change_address(
                session,
                order_id,
                body["customer_id"],
                body["address"],
                body["recipient"] or None,
            )
            return order_json(order)

        return json_response(await database(request).run(work))

    @bp.post("/<order_id:str>/invoices")
    async def invoice(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            created = await invoices.request_invoice(
                session,
                order_id,
                body["customer_id"],
                body["title"],
                body["type"],
                body["tax_number"],
            )
            return invoice_json(created)

        return json_response(await database(request).run(work), status=201)

    @bp.post("/<order_id:str>/phone-checks")
    async def phone_check(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            result = await identity.check_order_phone(
                session, order_id, body["last4"], body["requester"], body["client_address"]
            )
            return phone_check_json(result)

        return json_response(await database(request).run(work))

    return bp
