"""Session routes: ``POST /login``, ``POST /logout``, ``GET /me``, ``POST /me/status``."""

from __future__ import annotations

from sanic import Blueprint
from sanic.cookies import Cookie
from sanic.request import Request
from sanic.response import HTTPResponse, empty

from zhike.servers.desk.auth import DeskSession
from zhike.servers.desk.clients import request_address
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import bool_field, current_session, read_json
from zhike.servers.desk.serializers import account_json, agent_json, iso

SESSION_COOKIE = "zhike_desk_session"
# Sent to the desk API and the knowledge-base API (/api/kb), nowhere else.
COOKIE_PATH = "/api"
LEGACY_COOKIE_PATH = "/api/desk"  # where earlier versions set it: cleared at login/logout


def _desk(request: Request) -> DeskContext:
    desk: DeskContext = request.app.ctx.desk
    return desk


def _set_cookie(response: HTTPResponse, value: str, max_age: int, secure: bool) -> None:
    response.cookies[SESSION_COOKIE] = value
    cookie = response.cookies[SESSION_COOKIE]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["secure"] = secure
    cookie["max-age"] = max_age
    legacy = Cookie(SESSION_COOKIE, "")
    legacy["path"] = LEGACY_COOKIE_PATH
    legacy["httponly"] = True
    legacy["samesite"] = "Strict"
    legacy["secure"] = secure
    legacy["max-age"] = 0
    response.headers.add("Set-Cookie", legacy)


async def _me(desk: DeskContext, session: DeskSession) -> dict[str, object]:
    agent = await desk.agent(session.account)
    return {
        "account": account_json(session.account),
        "agent": agent_json(agent),
        "csrf_token": session.csrf_token,
        "expires_at": iso(session.expires_at),
    }


def session_blueprint() -> Blueprint:
    """The login, logout and own-status routes."""
    bp = Blueprint("desk_session")

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        body = read_json(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise DeskError(400, "invalid_credentials_format", "username and password required")
        if len(username) > 256 or len(password) > 1024:
            raise DeskError(400, "invalid_credentials_format", "username or password too long")
        desk = _desk(request)
        address = request_address(request, desk.settings.trusted_proxies)
        session = await desk.auth.login(username, password, address)
        response = json_response(await _me(desk, session))
        lifetime = int(desk.settings.session_lifetime.total_seconds())
        _set_cookie(response, session.token, lifetime, desk.settings.cookie_secure)
        return response

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        desk = _desk(request)
        await desk.auth.logout(request.cookies.get(SESSION_COOKIE, ""))
        response = empty()
        _set_cookie(response, "", 0, desk.settings.cookie_secure)
        return response

    @bp.get("/me")
    async def me(request: Request) -> HTTPResponse:
        return json_response(await _me(_desk(request), current_session(request)))

    @bp.post("/me/status")
    async def status(request: Request) -> HTTPResponse:
        online = bool_field(read_json(request), "online")
        desk = _desk(request)
        session = current_session(request)
        agent = await desk.agent(session.account)
        await desk.handoff.set_online(agent.agent_id, online)
        return json_response({"agent": agent_json(await desk.agent(session.account))})

    return bp
