"""``GET /health`` (liveness plus a database round trip) and ``GET /openapi.json``.

Both are open paths: they never need the API key.
"""

from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import text

from zhike.servers.backend.errors import error_response, json_response
from zhike.servers.backend.openapi import openapi_document

logger = logging.getLogger(__name__)


def health_blueprint() -> Blueprint:
    """The health and API-description endpoints."""
    bp = Blueprint("health")

    @bp.get("/health")
    async def health(request: Request) -> HTTPResponse:
        try:
            async with request.app.ctx.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            logger.exception("Health check: database unreachable")
            return error_response(503, "database_unavailable", "数据库不可用")
        return json_response({"status": "ok", "service": "zhike-backend", "database": "ok"})

    @bp.get("/openapi.json")
    async def openapi(request: Request) -> HTTPResponse:
        return json_response(openapi_document())

    return bp
