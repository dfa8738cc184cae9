"""``/api/v1/orders``: one order, and its logistics."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.backend import queries
from zhike.backend.errors import ApiError, json_response
from zhike.backend.ids import INVALID_ORDER_ID_MESSAGE, normalize_order_id
from zhike.backend.serializers import logistics_json, order_json


def valid_order_id(raw: str) -> str:
    """The normalised order id; raises a 400 :class:`ApiError` for a malformed one."""
    order_id = normalize_order_id(raw)
    if order_id is None:
        raise ApiError(400, "invalid_order_id", INVALID_ORDER_ID_MESSAGE)
    return order_id


def orders_blueprint() -> Blueprint:
    """Order routes."""
    bp = Blueprint("orders", url_prefix="/api/v1/orders")

    @bp.get("/<order_id:str>")
    async def get_order(request: Request, order_id: str) -> HTTPResponse:
        order_id = valid_order_id(order_id)
        async with request.app.ctx.db.session() as session:
            order = await queries.get_order(session, order_id)
        if order is None:
            raise ApiError(404, "order_not_found", f"订单 {order_id} 不存在")
        return json_response(order_json(order))

    @bp.get("/<order_id:str>/logistics")
    async def get_logistics(request: Request, order_id: str) -> HTTPResponse:
        order_id = valid_order_id(order_id)
        async with request.app.ctx.db.session() as session:
            logistics = await queries.get_logistics(session, order_id)
            exists = logistics is not None or await queries.order_exists(session, order_id)
        if not exists:
            raise ApiError(404, "order_not_found", f"订单 {order_id} 不存在")
        if logistics is None:
            raise ApiError(404, "logistics_not_found", f"订单 {order_id} 尚未发货，暂无物流信息")
        return json_response(logistics_json(logistics))

    return bp
