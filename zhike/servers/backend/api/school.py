"""``/api/v1/lessons`` and ``/api/v1/enrollments``: leave/reschedule, cancel a course."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body, optional_time
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.serializers import JSON, enrollment_json, lesson_request_json
from zhike.servers.backend.services import school


def school_blueprint() -> Blueprint:
    """School write routes (reads live under ``/customers``)."""
    bp = Blueprint("school", url_prefix=API_PREFIX)

    @bp.post("/lessons/<lesson_id:str>/requests")
    async def lesson_request(request: Request, lesson_id: str) -> HTTPResponse:
        body = json_body(request)
        kind = body["kind"]
        wanted = optional_time(body["requested_start_at"]) if kind == "reschedule" else None

        async def work(session: AsyncSession) -> JSON:
            created = await school.request_lesson_change(
                session,
                lesson_id,
                body["student_id"],
                body["customer_id"],
                kind,
                wanted,
                body["reason"] or "",
            )
            return lesson_request_json(created)

        return json_response(await database(request).run(work), status=201)

    @bp.post("/enrollments/<student_id:str>/<course_id:str>/cancel")
    async def cancel_enrollment(request: Request, student_id: str, course_id: str) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> JSON:
            enrollment = await school.cancel_enrollment(
                session, student_id, course_id, body["customer_id"]
            )
            return enrollment_json(enrollment)

        return json_response(await database(request).run(work))

    return bp
