"""``/api/v1/bindings``: which customer a channel user is, and binding by one-time code."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.backend.api.common import API_PREFIX, database, json_body
from zhike.backend.errors import ApiError, json_response
from zhike.backend.outbox import deliver_code
from zhike.backend.services import identity
from zhike.backend.services.identity import IssuedCode


def bindings_blueprint() -> Blueprint:
    """Binding routes."""
    bp = Blueprint("bindings", url_prefix=f"{API_PREFIX}/bindings")

    @bp.get("/<channel:str>/<channel_user_id:str>", unquote=True)  # "wechat%3Ao6_b..."
    async def get_binding(request: Request, channel: str, channel_user_id: str) -> HTTPResponse:
        async with database(request).session() as session:
            customer_id = await identity.get_binding(session, channel, channel_user_id)
        if customer_id is None:
            raise ApiError(404, "not_found", "该渠道用户尚未绑定客户")
        return json_response({"customer_id": customer_id})

    @bp.post("/codes")
    async def request_code(request: Request) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> IssuedCode:
            return await identity.request_binding_code(
                session, body["phone"], body["channel"], body["channel_user_id"]
            )

        issued = await database(request).run(work)
        channel, user = identity.channel_user(body["channel"], body["channel_user_id"])
        deliver_code(
            issued,
            channel,
            user,
            dev_mode=not request.app.ctx.settings.api_key,
            outbox=getattr(request.app.ctx, "outbox", None),
        )
        return json_response({}, status=202)

    @bp.post("/")
    async def confirm(request: Request) -> HTTPResponse:
        body = json_body(request)

        async def work(session: AsyncSession) -> str:
            binding = await identity.confirm_binding(
                session,
                body["phone"],
                body["code"],
                body["channel"],
                body["channel_user_id"],
            )
            return str(binding.customer_id)

        return json_response({"customer_id": await database(request).run(work)}, status=201)

    return bp
