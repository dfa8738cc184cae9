"""``/api/v1/products`` and ``/api/v1/shipping``: pre-sales reads (no customer needed).

Search, details, fit of an accessory, delivery time and fee to a region, and the shops'
fee rules (:mod:`zhike.servers.backend.services.presales`).
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.servers.backend.api.common import API_PREFIX, database
from zhike.servers.backend.errors import ApiError, json_response
from zhike.servers.backend.serializers_presales import (
    compatibility_json,
    matches_json,
    product_json,
    quote_json,
    rules_json,
)
from zhike.servers.backend.services import presales


def _int_arg(request: Request, name: str, default: int, code: str) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(422, code, f"参数 {name} 应为整数") from None


def presales_blueprint() -> Blueprint:
    """Pre-sales routes."""
    bp = Blueprint("presales", url_prefix=API_PREFIX)

    @bp.get("/products")
    async def search(request: Request) -> HTTPResponse:
        limit = _int_arg(request, "limit", 5, "invalid_limit")
        async with database(request).session() as session:
            found = await presales.search_products(session, request.args.get("q", ""), limit)
            return json_response(matches_json(found))

    @bp.get("/products/<sku:str>")
    async def product(request: Request, sku: str) -> HTTPResponse:
        async with database(request).session() as session:
            found = await presales.product_of(session, sku)
            restock = await presales.restock_of(session, found.sku)
            return json_response(product_json(found, restock))

    @bp.get("/products/<sku:str>/compatibility")
    async def fit(request: Request, sku: str) -> HTTPResponse:
        async with database(request).session() as session:
            result = await presales.compatibility(session, sku, request.args.get("device", ""))
            return json_response(compatibility_json(sku.strip().upper(), result))

    @bp.get("/products/<sku:str>/shipping")
    async def shipping(request: Request, sku: str) -> HTTPResponse:
        quantity = _int_arg(request, "quantity", 1, "invalid_quantity")
        async with database(request).session() as session:
            quote = await presales.shipping_quote(session, sku, request.args.get("place"), quantity)
            return json_response(quote_json(quote))

    @bp.get("/shipping/rules")
    async def rules(request: Request) -> HTTPResponse:
        async with database(request).session() as session:
            return json_response(rules_json(await presales.shipping_rules(session)))

    return bp
