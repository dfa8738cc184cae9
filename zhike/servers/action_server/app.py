"""The action server's sanic app: rasa_sdk's app with zhike's guards and limits.

rasa_sdk 3.6 answers every request from anyone on ``0.0.0.0:5055``, turns every error into
a 500 that echoes the request body and the exception text, and closes a connection that
has been idle for 5 seconds -- which includes a fresh connection whose request has not
been read yet while the server is busy. This module builds the same app
(:func:`rasa_sdk.endpoint.create_app`, so the actions behave exactly as before) and adds
what :mod:`zhike.servers.action_server.guards` describes, a request size limit, no CORS (no
browser ever calls the action server) and a keep-alive timeout longer than any HTTP
client's, so that the server is never the side that closes an idle connection.
"""

from __future__ import annotations

import logging
import os
import types
from collections.abc import Mapping
from unittest import mock

import rasa_sdk.endpoint
from sanic import Sanic

from zhike.common.deployment import require_secrets
from zhike.servers.action_server.guards import TOKEN_ENV, install_guards

logger = logging.getLogger(__name__)

# Trackers of long conversations are big, but not this big.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Longer than the keep-alive of aiohttp (15 s) and of common proxies (60 s).
KEEP_ALIVE_SECONDS = 75
# Connections the OS queues before sanic accepts them (sanic's default is 100): a burst of
# conversations opens one connection per action call.
BACKLOG = 1024
IDENTITY_SECRET_ENV = "ZHIKE_IDENTITY_SECRET"


def action_token(env: Mapping[str, str] | None = None) -> str | None:
    """The shared secret Rasa must send, ``None`` for an open development server.

    In production both ``ZHIKE_ACTION_TOKEN`` and ``ZHIKE_IDENTITY_SECRET`` (which signs
    the proofs of ownership in slots, see :mod:`actions.common`) must be set to 32+ bytes.
    In development (``ZHIKE_ENV=development``) a missing token leaves the server open,
    with a warning.

    Raises:
        zhike.common.deployment.ConfigurationError: production without the two secrets.
    """
    source = os.environ if env is None else env
    require_secrets([TOKEN_ENV, IDENTITY_SECRET_ENV], source)
    token = source.get(TOKEN_ENV) or None
    if token is None:
        logger.warning(
            "%s is not set: the action server accepts requests from anyone who can reach "
            "it (development only).",
            TOKEN_ENV,
        )
    return token


def _no_cors(app: Sanic, cors_origins: object = None) -> None:
    """Stands in for rasa_sdk's ``configure_cors``: the action server allows no origin."""


def create_action_app(
    actions: str | types.ModuleType,
    token: str | None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Sanic:
    """rasa_sdk's action server app for the ``actions`` package, guarded.

    Args:
        actions: the package (or its dotted name) whose actions are served.
        token: the shared secret every request but ``GET /health`` must carry in
            ``X-Zhike-Action-Token``; ``None`` accepts every request (development).
        max_body_bytes: the largest request body accepted (also once inflated).
    """
    # No CORS: rasa_sdk's Sanic-CORS would answer any OPTIONS request itself, before
    # authentication, and no browser ever has a reason to call the action server.
    with mock.patch.object(rasa_sdk.endpoint, "configure_cors", _no_cors):
        app = rasa_sdk.endpoint.create_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = max_body_bytes
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_SECONDS
    install_guards(app, token, max_body_bytes)
    return app
