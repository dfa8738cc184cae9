"""The Sanic application factory of the backend service (no import-time side effects)."""

from __future__ import annotations

import logging
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.servers.backend.api import api_blueprints
from zhike.servers.backend.bodies import MAX_BODY_BYTES, read_body
from zhike.servers.backend.code_delivery import SentCodes, sent_codes_blueprint
from zhike.servers.backend.config import Settings
from zhike.servers.backend.db import Database, safe_url
from zhike.servers.backend.errors import dumps, install_error_handling
from zhike.servers.backend.faults import FaultState, apply_fault, faults_blueprint
from zhike.servers.backend.reset import reset_blueprint
from zhike.servers.backend.security import check_request, check_settings, warn_dev_mode
from zhike.servers.backend.seed import seed_if_empty

logger = logging.getLogger(__name__)


def create_app(settings: Settings) -> Sanic:
    """Builds the backend application for ``settings``.

    The database engine is created when the server starts (inside its event loop), tables
    are created and, if ``settings.seed``, the demo data is loaded into an empty database;
    the engine is disposed when the server stops. A configuration that
    :func:`~zhike.servers.backend.security.check_settings` refuses never serves (the start fails).
    Every request passes the API key check, then the body check of
    :mod:`zhike.servers.backend.bodies`, before any route.

    Args:
        settings: the configuration; ``settings.app_name`` must be unique in the process.

    Returns:
        The configured, not yet running, Sanic app.
    """
    app = Sanic(settings.app_name, dumps=dumps, configure_logging=False)
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 3.0
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.ctx.settings = settings
    app.ctx.faults = FaultState()

    for blueprint in api_blueprints():
        app.blueprint(blueprint)
    if settings.faults_enabled:
        app.ctx.sent_codes = SentCodes.empty()
        app.blueprint(faults_blueprint())
        app.blueprint(sent_codes_blueprint())
        app.blueprint(reset_blueprint())
    install_error_handling(app)

    async def open_database(app: Sanic, _loop: Any) -> None:
        check_settings(settings)
        warn_dev_mode(settings)
        if settings.faults_enabled:
            logger.warning("Faults, sent codes and reset ON (ZHIKE_BACKEND_FAULTS=1): tests only")
        db = Database(settings.db_url)
        await db.create_tables()
        if settings.seed:
            await seed_if_empty(db)
        app.ctx.db = db

    async def close_database(app: Sanic, _loop: Any) -> None:
        db: Database | None = getattr(app.ctx, "db", None)
        if db is not None:
            await db.dispose()

    app.register_listener(open_database, "before_server_start")
    app.register_listener(close_database, "after_server_stop")

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        rejected = check_request(request, settings)
        if rejected is not None:
            return rejected
        read_body(request)
        return await apply_fault(request)

    @app.on_response
    async def no_store(request: Request, response: HTTPResponse) -> None:
        response.headers.setdefault("Cache-Control", "no-store")

    logger.debug("Backend app %s configured for %s", app.name, safe_url(settings.db_url))
    return app
