"""zhike's action server: rasa_sdk's app behind a shared secret and strict input checks.

``python -m zhike.servers.action_server --actions actions`` runs it (see :mod:`.__main__`);
:func:`create_action_app` builds the sanic app; :mod:`.rasa_client` is the Rasa side of
the same link (one retry of an action call whose connection was closed).
"""

from zhike.servers.action_server.app import (
    BACKLOG,
    KEEP_ALIVE_SECONDS,
    MAX_BODY_BYTES,
    action_token,
    create_action_app,
)
from zhike.servers.action_server.guards import TOKEN_ENV, TOKEN_HEADER

__all__ = [
    "BACKLOG",
    "KEEP_ALIVE_SECONDS",
    "MAX_BODY_BYTES",
    "TOKEN_ENV",
    "TOKEN_HEADER",
    "action_token",
    "create_action_app",
]
