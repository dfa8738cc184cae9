"""``/api/v1/bindings``: which customer a channel user is, binding by one-time code, unbinding."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.api.common import API_PREFIX, database, json_body
from zhike.servers.backend.code_delivery import deliver_code
from zhike.servers.backend.config import Settings
from zhike.servers.backend.errors import ApiError, json_response
from zhike.servers.backend.security import codes_logged_in_clear
from zhike.servers.backend.serializers import iso
from zhike.servers.backend.services import identity
from zhike.servers.backend.services.identity import BindingLifetimes, IssuedCode


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.ctx.settings
    return settings


def _lifetimes(settings: Settings) -> BindingLifetimes:
    return BindingLifetimes(web=settings.web_binding_lifetime, other=settings.binding_lifetime)


def bindings_blueprint() -> Blueprint:
    """Binding routes."""
    bp = Blueprint("bindings", url_prefix=f"{API_PREFIX}/bindings")

    @bp.get("/<channel:str>/<channel_user_id:str>", unquote=True)  # "wechat%3Ao6_b..."
    async def get_binding(request: Request, channel: str, channel_user_id: str) -> HTTPResponse:
        lifetimes = _lifetimes(_settings(request))
        async with database(request).session() as session:
            found = await identity.get_binding(
                session, channel, channel_user_id, lifetimes=lifetimes
            )
        if found is None:
            raise ApiError(404, "not_found", "该渠道用户尚未绑定客户")
        return json_response(
            {"customer_id": found.customer_id, "expires_at": iso(found.expires_at)}
        )

    @bp.delete("/<channel:str>/<channel_user_id:str>", unquote=True, ignore_body=False)
    async def unbind(request: Request, channel: str, channel_user_id: str) -> HTTPResponse:
        json_body(request)  # no body needed; one that is sent must be a JSON object

        async def work(session: AsyncSession) -> bool:
            return await identity.unbind(session, channel, channel_user_id)

        return json_response({"unbound": await database(request).run(work)})

    @bp.post("/codes")
    async def request_code(request: Request) -> HTTPResponse:
        body = json_body(request)
        settings = _settings(request)

        async def work(session: AsyncSession) -> IssuedCode:
            return await identity.request_binding_code(
                session,
                body["phone"],
                body["channel"],
                body["channel_user_id"],
                codes_per_minute=settings.codes_per_minute,
            )

        issued = await database(request).run(work)
        channel, user = identity.channel_user(body["channel"], body["channel_user_id"])
        deliver_code(
            issued,
            channel,
            user,
            dev_mode=codes_logged_in_clear(settings),
            sent_codes=getattr(request.app.ctx, "sent_codes", None),
        )
        document = {"request_id": issued.request_id, "expires_at": iso(issued.expires_at)}
        return json_response(document, status=202)

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
                request_id=body["request_id"],
            )
            return str(binding.customer_id)

        return json_response({"customer_id": await database(request).run(work)}, status=201)

    return bp
