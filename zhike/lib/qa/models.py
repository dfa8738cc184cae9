"""SQLAlchemy models of quality inspection, on their own metadata (tables ``qa_*``).

They live in the desk's database (next to ``desk_*`` and ``handoff_*``):

- ``qa_words``: the sensitive-word list supervisors keep, each word with a category;
- ``qa_state``: small named documents: the word list's revision (bumped in the
  transaction of every change, so every replica rebuilds its matcher when it changed)
  and the rule settings;
- ``qa_events``: what the handoff tables do not keep, such as each transfer;
- ``qa_records``: one inspection result per conversation (unique ``conversation_id``:
  re-inspecting replaces it) and its review. A conversation an agent served is keyed by
  its handoff episode's id; a bot-only conversation (no handoff) by minus the id of its
  analytics session (``analytics_sessions.id``), with ``session_key`` naming the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

from zhike.common.times import UTCDateTime, utcnow

QaBase: Any = declarative_base()

# The review states of a record; ``clean``: inspected, nothing found (not in the queue).
CLEAN = "clean"
PENDING = "pending"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
STATUSES = (CLEAN, PENDING, CONFIRMED, DISMISSED)

TRANSFER = "transfer"


class Word(QaBase):
    """A sensitive word and its category (see ``words.yml`` for the categories)."""

    __tablename__ = "qa_words"
    id = Column(Integer, primary_key=True, autoincrement=True)
    word = Column(String(64), nullable=False, unique=True)
    category = Column(String(16), nullable=False)
    created_by = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class State(QaBase):
    """A named JSON document (``words``: ``{"revision": n}``; ``rules``: the settings)."""

    __tablename__ = "qa_state"
    key = Column(String(32), primary_key=True)
    value = Column(JSON, nullable=False, default=dict)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Event(QaBase):
    """Something that happened to a conversation that inspection counts (a transfer)."""

    __tablename__ = "qa_events"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(Integer, nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    at = Column(UTCDateTime, nullable=False)


class Record(QaBase):
    """The inspection of one conversation: rules hit, score, masked excerpt, review.

    ``rules`` is the hit rules' names between commas (``,low_rating,no_greeting,``) so a
    filter is one ``LIKE``; ``hits`` and ``excerpt`` are JSON lists. ``channel`` and
    ``with_agent`` (an agent took part) were added with whole-transcript inspection: a
    row made before has them NULL.
    """

    __tablename__ = "qa_records"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(Integer, nullable=False, unique=True)
    agent_id = Column(String(64), nullable=True, index=True)
    skill_group = Column(String(32), nullable=True)
    session_key = Column(String(300), nullable=True)
    channel = Column(String(64), nullable=True)
    with_agent = Column(Boolean, nullable=True)
    status = Column(String(16), nullable=False, default=PENDING)
    score = Column(Integer, nullable=False, default=100)
    rules = Column(String(512), nullable=False, default=",")
    hits = Column(JSON, nullable=False, default=list)
    excerpt = Column(JSON, nullable=False, default=list)
    rating = Column(Integer, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    inspected_at = Column(UTCDateTime, nullable=False)
    reviewer_id = Column(String(64), nullable=True)
    review_comment = Column(Text, nullable=True)
    reviewed_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_qa_records_status", "status", "inspected_at"),)


# Columns added to ``qa_records`` after it first shipped (added by QaDatabase.upgrade).
ADDED_RECORD_COLUMNS = {
    "session_key": "VARCHAR(300)",
    "channel": "VARCHAR(64)",
    "with_agent": "BOOLEAN",
}
