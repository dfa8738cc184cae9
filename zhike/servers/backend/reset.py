"""``POST /__reset`` (tests only, mounted with ``ZHIKE_BACKEND_FAULTS=1``): fresh demo data.

Drops and recreates every table, reseeds the demo data and forgets the codes sent, so
each test of the real process starts from the documented records. The optional JSON body
``{"now": "2024-11-25T06:00:00+00:00"}`` sets the reference time of the data set (e.g. a
week ago, to put the delivered order outside its refund window). Never run it while other
requests are in flight.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.servers.backend.api.common import database, json_body, optional_time
from zhike.servers.backend.errors import json_response
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.serializers import iso


def reset_blueprint() -> Blueprint:
    """The ``/__reset`` endpoint."""
    bp = Blueprint("reset", url_prefix="/__reset")

    @bp.post("/")
    async def reset(request: Request) -> HTTPResponse:
        now = optional_time(json_body(request)["now"], code="invalid_now")
        db = database(request)
        await db.drop_tables()
        await db.create_tables()
        await seed_if_empty(db, now=now)
        sent_codes = getattr(request.app.ctx, "sent_codes", None)
        if sent_codes is not None:
            sent_codes.messages.clear()
        return json_response({"reset": True, "now": iso(now)})

    return bp
