"""Installation and repair visits: options of an order, booking, listing, changes, cancel."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import JSON
from zhike.servers.backend.serializers_visits import visit_json, visit_options_json, visits_json
from zhike.servers.backend.services import visit_changes, visits


def visits_blueprint() -> Blueprint:
    """Visit routes (under ``/api/v1``)."""
    bp = Blueprint("visits", url_prefix=API_PREFIX)

    @bp.get("/orders/<order_id:str>/visit-options")
    async def options(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id")
        async with database(request).session() as session:
            found = await visits.visit_options(session, order_id, customer_id)
            return json_response(visit_options_json(found))

    @bp.post("/orders/<order_id:str>/visits")
    async def book(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            visit = await visits.book_visit(
                session,
                order_id,
                body["customer_id"],
                body["kind"],
                body["date"],
                body["period"],
                item_position=body["item_position"],
                address=body["address"],
                phone=body["phone"],
                problem=body["problem"] or "",
                paid=body["paid"] is True,
            )
            return visit_json(visit)

        return json_response(await database(request).run(work), status=201)

    @bp.get("/customers/<customer_id:str>/visits")
    async def listing(request: Request, customer_id: str) -> HTTPResponse:
        order_id = request.args.get("order_id")
        async with database(request).session() as session:
            return json_response(
                visits_json(await visits.list_visits(session, customer_id, order_id))
            )

    @bp.put("/visits/<visit_id:str>/slot")
    async def reschedule(request: Request, visit_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            visit = await visit_changes.reschedule_visit(
                session, visit_id, body["customer_id"], body["date"], body["period"]
            )
            return visit_json(visit)

        return json_response(await database(request).run(work))

    @bp.post("/visits/<visit_id:str>/cancel")
    async def cancel(request: Request, visit_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            return visit_json(
                await visit_changes.cancel_visit(session, visit_id, body["customer_id"])
            )

        return json_response(await database(request).run(work))

    return bp
