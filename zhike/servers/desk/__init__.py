"""The agent desk's HTTP JSON API (``/api/desk/v1``) on the handoff library.

Agents log in (scrypt-hashed passwords, server-side sessions in an HttpOnly cookie, a
CSRF token per session), see their skill groups' queues, accept conversations, read the
transcript and the bot's summary, reply, transfer and close; supervisors see every
queue, the agents' load and the live conversations. See ``docs/desk-api.md``.
Importing this package opens no connection and reads no configuration.
"""

from zhike.servers.desk.app import API_PREFIX, create_app
from zhike.servers.desk.auth import AccountInfo, DeskAuth, DeskSession
from zhike.servers.desk.config import DeliverySettings, DeskSettings
from zhike.servers.desk.context import DeskContext, open_context
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.delivery.dispatcher import OutboxDispatcher
from zhike.servers.desk.delivery.sink import Delivery, LoggingReplySink, RasaSink, ReplySink
from zhike.servers.desk.errors import HANDOFF_STATUS, DeskError

__all__ = [
    "API_PREFIX",
    "HANDOFF_STATUS",
    "AccountInfo",
    "Delivery",
    "DeliverySettings",
    "DeskAuth",
    "DeskContext",
    "DeskDatabase",
    "DeskError",
    "DeskSession",
    "DeskSettings",
    "LoggingReplySink",
    "OutboxDispatcher",
    "RasaSink",
    "ReplySink",
    "create_app",
    "open_context",
]
