"""Human handoff (转人工): conversation episodes, queues, agents and their messages.

A pure library on its own ``handoff_*`` tables: :class:`HandoffService` runs each
operation in one transaction on a :class:`HandoffDatabase` (SQLite or PostgreSQL).
The desk web app and the Rasa side build on it; see ``docs/handoff.md``.
Importing this package opens no connection and reads no configuration.
"""

from zhike.lib.handoff.config import HandoffSettings, RetryPolicy, skill_group_for
from zhike.lib.handoff.db import HandoffDatabase
from zhike.lib.handoff.errors import (
    AgentAtCapacity,
    AlreadyAccepted,
    AlreadyRated,
    HandoffError,
    HandoffUnavailable,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
)
from zhike.lib.handoff.hours import BusinessHours
from zhike.lib.handoff.models import (
    AGENT,
    BOT,
    CLOSED,
    DEAD,
    DELIVER,
    DELIVERED,
    HANDED_BACK,
    PENDING,
    QUEUED,
    SKILL_GROUPS,
    STATES,
    TAKEN_OVER,
)
from zhike.lib.handoff.outbox_service import HandoffOutbox
from zhike.lib.handoff.results import (
    AgentLoad,
    ConversationInfo,
    HandoffOutcome,
    OutboxInfo,
    OutboxItem,
    QueueEntry,
    RouteDecision,
    StoredMessage,
)
from zhike.lib.handoff.service import HandoffService

__all__ = [
    "AGENT",
    "BOT",
    "CLOSED",
    "DEAD",
    "DELIVER",
    "DELIVERED",
    "HANDED_BACK",
    "PENDING",
    "QUEUED",
    "SKILL_GROUPS",
    "STATES",
    "TAKEN_OVER",
    "AgentAtCapacity",
    "AgentLoad",
    "AlreadyAccepted",
    "AlreadyRated",
    "BusinessHours",
    "ConversationInfo",
    "HandoffDatabase",
    "HandoffError",
    "HandoffUnavailable",
    "HandoffOutbox",
    "HandoffOutcome",
    "HandoffService",
    "HandoffSettings",
    "IdempotencyConflict",
    "InvalidInput",
    "InvalidState",
    "NotAllowed",
    "NotFound",
    "OutboxInfo",
    "OutboxItem",
    "QueueEntry",
    "RetryPolicy",
    "RouteDecision",
    "StoredMessage",
    "skill_group_for",
]
