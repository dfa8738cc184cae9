"""The analytics tables (``analytics_*``), on their own metadata.

* :class:`SessionRow` — one conversation session (Rasa's session of a sender: from its
  ``session_started`` event to the next), with what the metrics need: channel, customer,
  start and last activity, intents, knowledge-base questions and answers, fallbacks,
  the handoff (reason, skill group, agent, resolution) and the CSAT rating.
* :class:`MessageRow` — one message of a session: who wrote it (``user``, ``bot``,
  ``agent``), its text masked with :func:`zhike.common.privacy.mask_text`, intent and
  confidence, and what became of it (fallback, knowledge-base outcome, unanswered).
* :class:`HandoffRow` — a copy of a handoff episode of the desk's database with its reply
  statistics, linked to its session.
* :class:`CursorRow` — how far the consumer has read each source.

Every row that comes from an event carries a unique key (the event's content hash, or
the source row's id), so applying an event twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

from zhike.common.times import UTCDateTime

AnalyticsBase: Any = declarative_base()

USER = "user"
BOT = "bot"
AGENT = "agent"
ROLES = (USER, BOT, AGENT)

# What the knowledge base did with a customer's message (MessageRow.kb_outcome).
KB_ASKED = "asked"  # looked up, outcome not seen yet
KB_ANSWERED = "answered"
KB_SUGGESTED = "suggested"
KB_NONE = "none"
KB_REJECTED = "rejected"  # suggestions given, the customer said 「都不是」
KB_PICK = "pick"  # a suggestion button (not a question of its own)
KB_PICK_ANSWERED = "pick_answered"
KB_QUESTIONS = (KB_ASKED, KB_ANSWERED, KB_SUGGESTED, KB_NONE, KB_REJECTED)
KB_ANSWERS = (KB_ANSWERED, KB_PICK_ANSWERED)


class SessionRow(AnalyticsBase):
    """One conversation session of a sender (see the module docstring).

    ``superseded`` is set when the sender started a newer session: this one has ended.
    The ``handoff_*`` and ``csat_*`` columns summarise the linked :class:`HandoffRow` s.
    """

    __tablename__ = "analytics_sessions"
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_key = Column(String(300), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=True)
    customer_id = Column(String(64), nullable=True)
    started_at = Column(UTCDateTime, nullable=False, index=True)
    last_at = Column(UTCDateTime, nullable=False)
    superseded = Column(Boolean, nullable=False, default=False)
    user_messages = Column(Integer, nullable=False, default=0)
    bot_messages = Column(Integer, nullable=False, default=0)
    agent_messages = Column(Integer, nullable=False, default=0)
    intents = Column(JSON, nullable=False, default=list)
    first_intent = Column(String(128), nullable=True)
    fallbacks = Column(Integer, nullable=False, default=0)
    kb_questions = Column(Integer, nullable=False, default=0)
    kb_answers = Column(Integer, nullable=False, default=0)
    last_unanswered = Column(Boolean, nullable=False, default=False)
    open_loop = Column(String(128), nullable=True)
    open_loop_at = Column(UTCDateTime, nullable=True)
    survey_asked = Column(Boolean, nullable=False, default=False)
    handoff_reason_code = Column(String(64), nullable=True)
    handed_off = Column(Boolean, nullable=False, default=False)
    handoff_reason = Column(String(128), nullable=True)
    skill_group = Column(String(32), nullable=True)
    agent_id = Column(String(64), nullable=True)
    resolution = Column(String(64), nullable=True)
    csat_rating = Column(Integer, nullable=True)

    __table_args__ = (Index("ix_analytics_sessions_sender", "sender_id", "started_at"),)


class MessageRow(AnalyticsBase):
    """One message of a session, its text masked (see the module docstring)."""

    __tablename__ = "analytics_messages"
    id = Column(Integer, primary_key=True, autoincrement=True)
    event_key = Column(String(80), nullable=False, unique=True)
    session_key = Column(String(300), nullable=False, index=True)
    sender_id = Column(String(255), nullable=False)
    channel = Column(String(64), nullable=True)
    role = Column(String(8), nullable=False)
    text = Column(Text, nullable=False, default="")
    intent = Column(String(128), nullable=True)
    confidence = Column(Float, nullable=True)
    action = Column(String(128), nullable=True)
    fallback = Column(Boolean, nullable=False, default=False)
    kb_outcome = Column(String(16), nullable=True)
    unanswered = Column(Boolean, nullable=False, default=False)
    at = Column(UTCDateTime, nullable=False, index=True)

    __table_args__ = (Index("ix_analytics_messages_sender", "sender_id", "role", "at"),)


class HandoffRow(AnalyticsBase):
    """A handoff episode (or a bot-only rated episode) copied from the desk's database.

    ``reply_count`` / ``reply_seconds`` / ``reply_business_seconds``: the agent's replies
    and the summed time each customer message waited for one (see
    :func:`zhike.analytics.handoffs.reply_times`).
    """

    __tablename__ = "analytics_handoffs"
    episode_id = Column(Integer, primary_key=True, autoincrement=False)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=True)
    session_key = Column(String(300), nullable=True, index=True)
    reason = Column(String(128), nullable=True)
    skill_group = Column(String(32), nullable=True)
    agent_id = Column(String(64), nullable=True)
    agent_name = Column(String(128), nullable=True)
    requested_at = Column(UTCDateTime, nullable=True)
    assigned_at = Column(UTCDateTime, nullable=True)
    first_reply_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    disposition = Column(String(64), nullable=True)
    rating = Column(Integer, nullable=True)
    rated_at = Column(UTCDateTime, nullable=True)
    reference_at = Column(UTCDateTime, nullable=False)
    reply_count = Column(Integer, nullable=False, default=0)
    reply_seconds = Column(Float, nullable=False, default=0.0)
    reply_business_seconds = Column(Float, nullable=False, default=0.0)
    updated_at = Column(UTCDateTime, nullable=True)


class CursorRow(AnalyticsBase):
    """How far the consumer has read a source: ``position`` (a row id) or ``mark`` (a time)."""

    __tablename__ = "analytics_cursors"
    name = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
    mark = Column(String(64), nullable=True)
