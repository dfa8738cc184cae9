"""Plain, immutable results of the handoff service (no ORM objects leave a transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from zhike.lib.handoff.models import Agent, Conversation, Message, OutboxEntry

OutcomeStatus = Literal["queued", "with_agent", "after_hours", "no_agent"]
Handler = Literal["bot", "queue", "agent", "left"]


@dataclass(frozen=True)
class ConversationInfo:
    """A snapshot of one episode, with its analytics durations.

    Attributes:
        mtta: ``agent_assigned_at - handoff_requested_at`` (None until accepted).
        mttr: ``closed_at - handoff_requested_at`` (None until closed).
        outbox_id: The ``handoff_outbox`` row the call queued for the bot's side
            (``notify_bot=True``), else None.
    """

    id: int
    sender_id: str
    channel: str
    customer_id: str | None
    state: str
    skill_group: str
    summary: dict[str, Any]
    agent_id: str | None
    handoff_requested_at: datetime | None
    queued_at: datetime | None
    agent_assigned_at: datetime | None
    first_agent_reply_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    comment: str | None
    rated_at: datetime | None
    disposition: str | None
    outbox_id: int | None = None

    @property
    def mtta(self) -> timedelta | None:
        """Time to assign an agent."""
        return _between(self.handoff_requested_at, self.agent_assigned_at)

    @property
    def mttr(self) -> timedelta | None:
        """Time to resolve (close) the episode."""
        return _between(self.handoff_requested_at, self.closed_at)

    @property
    def first_reply(self) -> timedelta | None:
        """Time from the handoff request to the agent's first reply."""
        return _between(self.handoff_requested_at, self.first_agent_reply_at)

    @classmethod
    def of(cls, row: Conversation) -> ConversationInfo:
        """The snapshot of a conversation row."""
        return cls(
            id=row.id,
            sender_id=row.sender_id,
            channel=row.channel,
            customer_id=row.customer_id,
            state=row.state,
            skill_group=row.skill_group,
            summary=dict(row.summary or {}),
            agent_id=row.agent_id,
            handoff_requested_at=row.handoff_requested_at,
            queued_at=row.queued_at,
            agent_assigned_at=row.agent_assigned_at,
            first_agent_reply_at=row.first_agent_reply_at,
            closed_at=row.closed_at,
            rating=row.rating,
            comment=row.comment,
            rated_at=row.rated_at,
            disposition=row.disposition,
        )


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


@dataclass(frozen=True)
class HandoffOutcome:
    """What :meth:`~zhike.lib.handoff.service.HandoffService.request_handoff` decided.

    Attributes:
        status: ``queued`` (waiting for an agent), ``with_agent`` (an agent has it
            already), ``after_hours`` or ``no_agent`` (closed as a ticket case: the caller
            opens a ticket and tells the user ``reply_by``).
        conversation_id: The episode.
        skill_group: The group it waits in.
        position: 1 = next in line (``queued`` only).
        expected_wait: Estimated wait from recent MTTA (``queued`` only).
        reply_by: When someone will reply (``after_hours`` / ``no_agent`` only).
    """

    status: OutcomeStatus
    conversation_id: int
    skill_group: str
    position: int | None = None
    expected_wait: timedelta | None = None
    reply_by: datetime | None = None


@dataclass(frozen=True)
class StoredMessage:
    """A stored message; ``created`` is False when an idempotent retry found it.

    ``outbox_id`` is the ``handoff_outbox`` row that delivers a new agent message
    (``notify_bot=True``), else None.
    """

    id: int
    conversation_id: int
    seq: int
    direction: str
    text: str
    payload: dict[str, Any] | None
    idempotency_key: str
    created_at: datetime
    created: bool = True
    outbox_id: int | None = None

    @classmethod
    def of(cls, row: Message, created: bool) -> StoredMessage:
        """The snapshot of a message row."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            seq=row.seq,
            direction=row.direction,
            text=row.text,
            payload=row.payload,
            idempotency_key=row.idempotency_key,
            created_at=row.created_at,
            created=created,
        )


@dataclass(frozen=True)
class RouteDecision:
    """Who handles a user message.

    Attributes:
        handler: ``bot`` (Rasa answers; nothing stored), ``queue`` (stored for the agent
            who will accept; the bot may still answer while the user waits) or ``agent``
            (stored and shown to the agent; the bot stays silent) or ``left`` (stored, and
            the customer left the queue: the episode is closed, the bot answers again).
        conversation_id: The open episode, if any.
        message: The stored message (``queue`` / ``agent``).
    """

    handler: Handler
    conversation_id: int | None = None
    message: StoredMessage | None = None


@dataclass(frozen=True)
class QueueEntry:
    """A waiting conversation: its place in its group's queue and how long it waits."""

    conversation_id: int
    sender_id: str
    channel: str
    skill_group: str
    position: int
    queued_at: datetime
    waiting: timedelta


@dataclass(frozen=True)
class AgentLoad:
    """An agent and the number of conversations they handle now."""

    agent_id: str
    name: str
    online: bool
    supervisor: bool
    skill_groups: tuple[str, ...]
    active: int
    max_concurrent: int
    conversation_ids: tuple[int, ...] = field(default=())

    @property
    def free(self) -> int:
        """Further chats the agent may accept (0 when offline or full)."""
        return max(0, self.max_concurrent - self.active) if self.online else 0

    @classmethod
    def of(cls, row: Agent, conversation_ids: list[int]) -> AgentLoad:
        """The load of an agent row given their active conversations."""
        return cls(
            agent_id=row.id,
            name=row.name,
            online=bool(row.online),
            supervisor=bool(row.supervisor),
            skill_groups=tuple(row.skill_groups or ()),
            active=len(conversation_ids),
            max_concurrent=row.max_concurrent,
            conversation_ids=tuple(sorted(conversation_ids)),
        )


@dataclass(frozen=True)
class OutboxInfo:
    """A ``handoff_outbox`` row as a supervisor sees it (no message text).

    Attributes:
        kind: ``taken_over``, ``deliver`` or ``handed_back``.
        state: ``pending``, ``delivered`` or ``dead``.
        attempts: Attempts started so far (a claim counts one).
        idempotency_key: Sent with every attempt; a retry looks for it first.
        last_error: Why the latest attempt failed (an error type or HTTP status).
    """

    id: int
    conversation_id: int
    sender_id: str
    kind: str
    message_seq: int | None
    idempotency_key: str
    state: str
    attempts: int
    next_attempt_at: datetime
    locked_until: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: OutboxEntry) -> OutboxInfo:
        """The snapshot of an outbox row."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            sender_id=row.sender_id,
            kind=row.kind,
            message_seq=row.message_seq,
            idempotency_key=row.idempotency_key,
            state=row.state,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            locked_until=row.locked_until,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            dead_at=row.dead_at,
            last_error=row.last_error,
        )


@dataclass(frozen=True)
class OutboxItem:
    """A claimed outbox row with what delivering it needs.

    Attributes:
        entry: The row as claimed (``entry.attempts`` counts this attempt: 1 = first).
        conversation: The episode, as it is now.
        message: The agent message of a ``deliver`` row, else None.
    """

    entry: OutboxInfo
    conversation: ConversationInfo
    message: StoredMessage | None = None

    @property
    def attempt(self) -> int:
        """This attempt's number: 1 for the first, more for a retry."""
        return self.entry.attempts

    @property
    def key(self) -> str:
        """The row's idempotency key."""
        return self.entry.idempotency_key
