"""``/api/v1/customers``: the account, orders, notifications, students, lessons, tickets."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.errors import ApiError, json_response
from zhike.servers.backend.serializers import (
    JSON,
    customer_json,
    lesson_json,
    order_json,
    student_json,
    ticket_json,
)
from zhike.servers.backend.services import customers, school, tickets
from zhike.servers.backend.services.common import customer_id_of

DEFAULT_LESSON_LIMIT = 5


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LESSON_LIMIT
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "invalid_limit", "limit 应为 1-50 的整数") from None


def customers_blueprint() -> Blueprint:
    """Customer routes."""
    bp = Blueprint("customers", url_prefix=f"{API_PREFIX}/customers")

    @bp.get("/<customer_id:str>")
    async def get_customer(request: Request, customer_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            customer = await customers.get_customer(session, customer_id)
        if customer is None:
            raise ApiError(404, "customer_not_found", f"客户 {customer_id_of(customer_id)} 不存在")
        return json_response(customer_json(customer))

    @bp.get("/<customer_id:str>/orders")
    async def list_orders(request: Request, customer_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            found = await customers.list_orders(session, customer_id)
            return json_response(
                {
                    "customer_id": customer_id_of(customer_id),
                    "orders": [order_json(order) for order in found],
                }
            )

    @bp.put("/<customer_id:str>/notifications")
    async def notifications(request: Request, customer_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            customer = await customers.set_course_notifications(
                session, customer_id, body["course_notifications"]
            )
            return customer_json(customer)

        return json_response(await database(request).run(work))

    @bp.get("/<customer_id:str>/students")
    async def students(request: Request, customer_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            found = await school.list_students(session, customer_id)
            return json_response({"students": [student_json(student) for student in found]})

    @bp.get("/<customer_id:str>/lessons")
    async def lessons(request: Request, customer_id: str) -> HTTPResponse:
        limit = _limit(request.args.get("limit"))
        student_id = request.args.get("student_id") or None
        async with database(request).session() as session:
            found = await school.upcoming_lessons(session, customer_id, limit, student_id)
            return json_response({"lessons": [lesson_json(item) for item in found]})

    @bp.get("/<customer_id:str>/tickets")
    async def list_tickets(request: Request, customer_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            found = await tickets.list_tickets(session, customer_id)
            return json_response({"tickets": [ticket_json(ticket) for ticket in found]})

    return bp
