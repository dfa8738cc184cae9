"""``/api/v1/orders/<id>/invoice``: an order's invoices, changes (换开) and re-sending."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.invoice_documents import change_json, order_invoices_json
from zhike.servers.backend.serializers import JSON
from zhike.servers.backend.services import invoice_changes

CHANGE_FIELDS = (
    "title",
    "tax_number",
    "registered_address",
    "registered_phone",
    "bank_name",
    "bank_account",
    "mail_address",
    "mail_recipient",
    "mail_phone",
)


def invoice_changes_blueprint() -> Blueprint:
    """Invoice change routes."""
    bp = Blueprint("invoice_changes", url_prefix=f"{API_PREFIX}/orders")

    @bp.get("/<order_id:str>/invoice")
    async def invoices(request: Request, order_id: str) -> HTTPResponse:
        customer_id = request.args.get("customer_id")
        async with database(request).session() as session:
            order, changes = await invoice_changes.order_invoices(
                session, order_id, customer_id or ""
            )
            return json_response(order_invoices_json(order, changes))

    @bp.post("/<order_id:str>/invoice/changes")
    async def change(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)
        fields = {name: body[name] for name in CHANGE_FIELDS if body[name] is not None}

        async def work(session: AsyncSession) -> JSON:
            created = await invoice_changes.change_invoice(
                session, order_id, body["customer_id"], body["kind"], fields
            )
            return change_json(created)

        return json_response(await database(request).run(work), status=201)

    @bp.post("/<order_id:str>/invoice/resend")
    async def resend(request: Request, order_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            invoice = await invoice_changes.resend_invoice(
                session, order_id, body["customer_id"], body["email"]
            )
            order, changes = await invoice_changes.order_invoices(
                session, invoice.order_id, body["customer_id"]
            )
            return order_invoices_json(order, changes)

        return json_response(await database(request).run(work))

    return bp
