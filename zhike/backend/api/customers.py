"""``/api/v1/customers``: one customer, and their orders."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.backend import queries
from zhike.backend.errors import ApiError, json_response
from zhike.backend.ids import INVALID_CUSTOMER_ID_MESSAGE, normalize_customer_id
from zhike.backend.serializers import customer_json, order_json


def valid_customer_id(raw: str) -> str:
    """The normalised customer id; raises a 400 :class:`ApiError` for a malformed one."""
    customer_id = normalize_customer_id(raw)
    if customer_id is None:
        raise ApiError(400, "invalid_customer_id", INVALID_CUSTOMER_ID_MESSAGE)
    return customer_id


def customers_blueprint() -> Blueprint:
    """Customer routes."""
    bp = Blueprint("customers", url_prefix="/api/v1/customers")

    @bp.get("/<customer_id:str>")
    async def get_customer(request: Request, customer_id: str) -> HTTPResponse:
        customer_id = valid_customer_id(customer_id)
        async with request.app.ctx.db.session() as session:
            customer = await queries.get_customer(session, customer_id)
        if customer is None:
            raise ApiError(404, "customer_not_found", f"客户 {customer_id} 不存在")
        return json_response(customer_json(customer))

    @bp.get("/<customer_id:str>/orders")
    async def list_orders(request: Request, customer_id: str) -> HTTPResponse:
        customer_id = valid_customer_id(customer_id)
        async with request.app.ctx.db.session() as session:
            customer = await queries.get_customer(session, customer_id)
            if customer is None:
                raise ApiError(404, "customer_not_found", f"客户 {customer_id} 不存在")
            orders = await queries.list_orders(session, customer_id)
        return json_response(
            {"customer_id": customer_id, "orders": [order_json(order) for order in orders]}
        )

    return bp
