"""``/api/v1/tickets``: open a ticket (idempotently), read one, add a customer's note to one."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import ApiError, json_response
from zhike.servers.backend.serializers import JSON, ticket_json
from zhike.servers.backend.services import tickets

IDEMPOTENCY_HEADER = "Idempotency-Key"


def tickets_blueprint() -> Blueprint:
    """Ticket routes."""
    bp = Blueprint("tickets", url_prefix=API_PREFIX)

    @bp.post("/tickets")
    async def create(request: Request) -> HTTPResponse:
        body = json_body(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)

        async def work(session: AsyncSession) -> tuple[JSON, bool]:
            result = await tickets.create_ticket(
                session,
                body["category"],
                body["summary"],
                body["customer_id"],
                body["channel"] or "",
                key,
            )
            return ticket_json(result.ticket), result.created

        document, created = await database(request).run(work)
        return json_response(document, status=201 if created else 200)

    @bp.post("/tickets/<ticket_id:str>/notes")
    async def add_note(request: Request, ticket_id: str) -> HTTPResponse:
        body = json_body(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)

        async def work(session: AsyncSession) -> tuple[JSON, bool]:
            result = await tickets.append_note(
                session, ticket_id, body["text"], body["customer_id"], key
            )
            return ticket_json(result.ticket), result.added

        document, added = await database(request).run(work)
        return json_response(document, status=201 if added else 200)

    @bp.get("/tickets/<ticket_id:str>")
    async def get(request: Request, ticket_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            ticket = await tickets.get_ticket(session, ticket_id)
        if ticket is None:
            raise ApiError(404, "ticket_not_found", "工单不存在")
        return json_response(ticket_json(ticket))

    return bp
