"""SQLAlchemy models of the handoff desk, on their own metadata (tables ``handoff_*``).

One :class:`Conversation` row is one *episode* of a customer on a channel (Rasa sender id
+ input channel): it starts when the bot hands over and ends when it is closed. At most one
episode per sender and channel is open (not ``closed``) at a time, enforced by a partial
unique index, so concurrent handoff requests cannot open two.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base

from zhike.common.times import UTCDateTime, utcnow

HandoffBase: Any = declarative_base()

# The states of an episode (see docs/handoff.md for the state machine).
BOT = "bot"
QUEUED = "queued"
AGENT = "agent"
CLOSED = "closed"
STATES = (BOT, QUEUED, AGENT, CLOSED)

# The disposition of an episode the customer left while queued (取消排队, 不等了).
USER_LEFT = "user_left"

# Who wrote a message.
DIRECTIONS = ("user", "bot", "agent", "system")

SKILL_GROUPS = ("orders", "courses", "general", "presales")


class Conversation(HandoffBase):
    """One handoff episode of a customer on a channel.

    Timestamps (all UTC): ``handoff_requested_at`` when the bot handed over,
    ``queued_at`` when it entered its current queue (a transfer re-queues it),
    ``agent_assigned_at`` the first acceptance (MTTA), ``first_agent_reply_at``,
    ``closed_at`` (MTTR) and ``rated_at``. ``last_seq`` is the seq of its latest message.
    """

    __tablename__ = "handoff_conversations"
    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=False)
    customer_id = Column(String(64), nullable=True, index=True)
    state = Column(String(16), nullable=False, default=BOT)
    skill_group = Column(String(32), nullable=False, default="general")
    summary = Column(JSON, nullable=False, default=dict)
    agent_id = Column(String(64), ForeignKey("handoff_agents.id"), nullable=True, index=True)
    handoff_requested_at = Column(UTCDateTime, nullable=True)
    queued_at = Column(UTCDateTime, nullable=True)
    agent_assigned_at = Column(UTCDateTime, nullable=True)
    first_agent_reply_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    rated_at = Column(UTCDateTime, nullable=True)
    rating = Column(Integer, nullable=True)
    comment = Column(Text, nullable=True)
    disposition = Column(String(64), nullable=True)
    last_seq = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index(
            "uq_handoff_open_conversation",
            "sender_id",
            "channel",
            unique=True,
            postgresql_where=text("state <> 'closed'"),
            sqlite_where=text("state <> 'closed'"),
        ),
        Index("ix_handoff_conversations_queue", "state", "skill_group", "queued_at"),
    )


class Message(HandoffBase):
    """A message of an episode, in order: ``seq`` counts 1, 2, 3 ... per conversation.

    ``idempotency_key`` is unique over all messages: a retried delivery with the same key
    finds this row instead of storing the message again.
    """

    __tablename__ = "handoff_messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        Integer, ForeignKey("handoff_conversations.id"), nullable=False, index=True
    )
    seq = Column(Integer, nullable=False)
    direction = Column(String(8), nullable=False)
    text = Column(Text, nullable=False, default="")
    payload = Column(JSON, nullable=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_handoff_message_seq"),)


class Agent(HandoffBase):
    """A human agent of the desk.

    ``skill_groups`` is a JSON list of group names; a ``supervisor`` may accept and
    transfer conversations of any group.
    """

    __tablename__ = "handoff_agents"
    id = Column(String(64), primary_key=True)
    name = Column(String(128), nullable=False)
    skill_groups = Column(JSON, nullable=False, default=list)
    supervisor = Column(Boolean, nullable=False, default=False)
    online = Column(Boolean, nullable=False, default=False)
    max_concurrent = Column(Integer, nullable=False, default=3)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


# What the desk tells the bot's side about an episode (rows of ``handoff_outbox``).
TAKEN_OVER = "taken_over"
DELIVER = "deliver"
HANDED_BACK = "handed_back"
OUTBOX_KINDS = (TAKEN_OVER, DELIVER, HANDED_BACK)

# The life of an outbox row: pending until delivered, or dead when retrying gave up.
PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
OUTBOX_STATES = (PENDING, DELIVERED, DEAD)


class OutboxEntry(HandoffBase):
    """A notification for the bot's side, written in the transaction of its state change.

    ``kind`` is ``taken_over`` (accept), ``deliver`` (an agent message, ``message_id``)
    or ``handed_back`` (close). Rows of one ``sender_id`` (one Rasa conversation, across
    episodes) are delivered strictly in ``id`` order. A dispatcher claims a row by
    setting ``locked_by`` / ``locked_until`` (a lease) and counts the attempt in
    ``attempts``; ``idempotency_key`` travels with every attempt so a retry can see
    whether an earlier one arrived. ``last_error`` never holds customer text.
    """

    __tablename__ = "handoff_outbox"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(Integer, ForeignKey("handoff_conversations.id"), nullable=False)
    sender_id = Column(String(255), nullable=False)
    kind = Column(String(16), nullable=False)
    message_id = Column(Integer, ForeignKey("handoff_messages.id"), nullable=True)
    message_seq = Column(Integer, nullable=True)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    state = Column(String(16), nullable=False, default=PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False)
    locked_by = Column(String(64), nullable=True)
    locked_until = Column(UTCDateTime, nullable=True)
    delivered_at = Column(UTCDateTime, nullable=True)
    dead_at = Column(UTCDateTime, nullable=True)
    last_error = Column(String(200), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_handoff_outbox_due", "state", "next_attempt_at"),
        Index("ix_handoff_outbox_sender", "sender_id", "state", "id"),
        Index("ix_handoff_outbox_conversation", "conversation_id"),
    )
