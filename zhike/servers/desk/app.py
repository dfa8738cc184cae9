"""The Sanic application factory of the agent desk API (no import-time side effects)."""

from __future__ import annotations

import logging
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.common.database import safe_url
from zhike.servers.desk import background
from zhike.servers.desk.analytics_api import analytics_blueprint
from zhike.servers.desk.api import conversations_blueprint
from zhike.servers.desk.api_session import SESSION_COOKIE, session_blueprint
from zhike.servers.desk.api_supervisor import supervisor_blueprint
from zhike.servers.desk.api_views import views_blueprint
from zhike.servers.desk.assist import assist_blueprint
from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.context import DeskContext, open_context
from zhike.servers.desk.delivery.sink import ReplySink
from zhike.servers.desk.errors import DeskError, dumps, install_error_handling, json_response
from zhike.servers.desk.events import events_blueprint
from zhike.servers.desk.history_api import history_blueprint
from zhike.servers.desk.http import read_json
from zhike.servers.desk.kb_api import kb_blueprint
from zhike.servers.desk.kb_files import kb_files_blueprint
from zhike.servers.desk.kb_http import IMPORT_PATH, KB_PREFIX, service_actor
from zhike.servers.desk.kb_queue import kb_queue_blueprint
from zhike.servers.desk.qa_api import qa_blueprint
from zhike.servers.desk.tags_api import tags_blueprint
from zhike.servers.desk.targets_api import targets_blueprint
from zhike.servers.desk.ui import ui_blueprint

logger = logging.getLogger(__name__)

API_PREFIX = "/api/desk/v1"
PUBLIC_PATHS = frozenset({f"{API_PREFIX}/login"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def create_app(
    settings: DeskSettings,
    context: DeskContext | None = None,
    sink: ReplySink | None = None,
) -> Sanic:
    """Builds the desk API application.

    Without ``context`` the databases at ``settings.db_url`` are opened when the server
    starts (inside its event loop), missing tables created, the outbox dispatcher started,
    and all of it stopped and closed when the server stops. A given ``context`` (tests,
    an embedding process) is used as is: its owner starts (:meth:`DeskContext.start`)
    and closes it.

    Args:
        settings: The configuration; ``settings.app_name`` must be unique in the process.
        context: Ready collaborators to use instead of opening the databases.
        sink: Where stored agent replies go (default: only logged); ignored with
            ``context``, which carries its own.

    Returns:
        The configured, not yet running, Sanic app.
    """
    app = Sanic(settings.app_name, dumps=dumps, configure_logging=False)
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 3.0
    app.config.REQUEST_MAX_SIZE = settings.max_body
    app.ctx.desk = context

    for blueprint in (session_blueprint(), conversations_blueprint(), supervisor_blueprint()):
        app.blueprint(blueprint, url_prefix=API_PREFIX)
    app.blueprint(assist_blueprint(), url_prefix=API_PREFIX)  # assist, context, ticket
    app.blueprint(views_blueprint(), url_prefix=API_PREFIX)  # labels, inbox, timeline
    app.blueprint(analytics_blueprint(), url_prefix=API_PREFIX)  # supervisors' KPIs
    app.blueprint(qa_blueprint(), url_prefix=API_PREFIX)  # quality inspection (质检)
    for blueprint in (kb_blueprint(), kb_files_blueprint(), kb_queue_blueprint()):
        app.blueprint(blueprint, url_prefix=KB_PREFIX)  # the knowledge base
    app.blueprint(targets_blueprint(), url_prefix=API_PREFIX)  # the dashboard's KPI targets
    app.blueprint(tags_blueprint(), url_prefix=API_PREFIX)  # customer tags (客户画像)
    for blueprint in (events_blueprint(), history_blueprint()):  # live inbox, history, 留言
        app.blueprint(blueprint, url_prefix=API_PREFIX)
    app.blueprint(ui_blueprint())  # the web app: /desk/
    install_error_handling(app)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json_response({"status": "ok" if request.app.ctx.desk else "starting"})

    if context is None:

        async def open_desk(app: Sanic, _loop: Any) -> None:
            app.ctx.desk = await open_context(settings, sink=sink)

        async def close_desk(app: Sanic, _loop: Any) -> None:
            desk: DeskContext | None = getattr(app.ctx, "desk", None)
            if desk is not None:
                await desk.close()
                app.ctx.desk = None

        async def start_delivery(app: Sanic, _loop: Any) -> None:
            app.ctx.desk.start()  # the outbox dispatcher, also for rows left by an earlier run
            app.add_task(app.ctx.desk.warm_up())  # the first 试一试 or assist does not wait
            background.start(app)  # quality inspection and customer tags (leased)

        async def stop_background(app: Sanic, _loop: Any) -> None:
            await background.stop(app)

        app.register_listener(open_desk, "before_server_start")
        app.register_listener(start_delivery, "after_server_start")
        app.register_listener(stop_background, "before_server_stop")
        app.register_listener(close_desk, "after_server_stop")

    @app.on_request
    async def guard(request: Request) -> None:
        path = request.path.rstrip("/")
        importing = path == IMPORT_PATH  # a streamed file, read by its route
        check_size(request, settings.max_import_body if importing else settings.max_body)
        if path.startswith(KB_PREFIX):
            actor = service_actor(request, settings.kb_service_token)
            if actor is not None:
                request.ctx.kb_actor = actor  # a bearer token: no cookie, so no CSRF
            else:
                await check_session(request)
        elif path.startswith(API_PREFIX) and path not in PUBLIC_PATHS:
            await check_session(request)
        else:
            return
        if request.method not in SAFE_METHODS and request.body and not importing:
            read_json(request)  # any body sent must be a clean JSON object, used or not

    @app.on_response
    async def secure_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)

    logger.debug("Desk app %s configured for %s", app.name, safe_url(settings.db_url))
    return app


async def check_session(request: Request) -> None:
    """Attaches the caller's desk session; 401 without one, 403 for a write without CSRF."""
    desk: DeskContext = request.app.ctx.desk
    session = await desk.auth.session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise DeskError(401, "unauthenticated", "log in first")
    if request.method not in SAFE_METHODS and not session.csrf_ok(
        request.headers.get("x-csrf-token")
    ):
        raise DeskError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")
    request.ctx.desk_session = session


def check_size(request: Request, limit: int) -> None:
    """Refuses (413) a body over ``limit`` bytes, by its declared length or its size."""
    declared = request.headers.get("content-length", "")
    if (declared.isdigit() and int(declared) > limit) or len(request.body or b"") > limit:
        raise DeskError(413, "payload_too_large", f"request bodies are limited to {limit} bytes")
