"""SQLAlchemy models of the knowledge base, on their own metadata (tables ``kb_*``).

``kb_entries`` holds each entry's working copy and, in ``live`` (JSON text), the content
the robot answers with; ``kb_similar`` the working copy's similar questions;
``kb_history`` one row per version; ``kb_state`` one row whose ``revision`` grows in the
same transaction as every change to what is live. Every write transaction locks the
``kb_state`` row first, so writers of the knowledge base take turns (entry ids are
assigned under that lock). Types are portable: the same tables on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

from zhike.common.times import UTCDateTime

KbBase: Any = declarative_base()

STATE_ROW = 1


class EntryRow(KbBase):
    """An entry: its working copy (``status``, ``version``) and its live content.

    ``question_key`` is :func:`~zhike.lib.kb.domain.question_key` of the question, for
    duplicate checks; ``buttons`` and ``channel_answers`` are JSON text. ``live`` is the
    JSON of the published content (``None``: not answered with), ``live_version`` its
    version. ``draft_owner`` started the current draft (an editor changes only their own).
    """

    __tablename__ = "kb_entries"
    id = Column(Integer, primary_key=True, autoincrement=False)
    question = Column(String(200), nullable=False)
    question_key = Column(String(200), nullable=False, index=True)
    answer = Column(Text, nullable=False)
    category = Column(String(64), nullable=False, default="")
    buttons = Column(Text, nullable=False, default="[]")
    link = Column(String(500), nullable=True)
    channel_answers = Column(Text, nullable=False, default="{}")
    valid_from = Column(Date, nullable=True)
    valid_to = Column(Date, nullable=True)
    status = Column(String(16), nullable=False, index=True)
    version = Column(Integer, nullable=False, default=1)
    draft_owner = Column(String(128), nullable=True)
    review_comment = Column(Text, nullable=True)
    live = Column(Text, nullable=True)
    live_version = Column(Integer, nullable=True)
    created_by = Column(String(128), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    updated_by = Column(String(128), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_kb_entries_category", "category", "status"),)


class SimilarRow(KbBase):
    """A similar question (相似问) of an entry's working copy, in order."""

    __tablename__ = "kb_similar"
    entry_id = Column(Integer, ForeignKey("kb_entries.id"), primary_key=True)
    position = Column(Integer, primary_key=True, autoincrement=False)
    text = Column(String(200), nullable=False)
    text_key = Column(String(200), nullable=False, index=True)


class HistoryRow(KbBase):
    """One version of an entry: who did what when, and the entry right after (JSON)."""

    __tablename__ = "kb_history"
    entry_id = Column(Integer, ForeignKey("kb_entries.id"), primary_key=True)
    version = Column(Integer, primary_key=True, autoincrement=False)
    action = Column(String(32), nullable=False)
    actor = Column(String(128), nullable=False)
    role = Column(String(16), nullable=False)
    at = Column(UTCDateTime, nullable=False)
    comment = Column(Text, nullable=True)
    snapshot = Column(Text, nullable=False)


class StateRow(KbBase):
    """The single row (``id`` 1): ``revision`` grows with every change to what is live."""

    __tablename__ = "kb_state"
    id = Column(Integer, primary_key=True, autoincrement=False)
    revision = Column(Integer, nullable=False, default=0)
    updated_at = Column(UTCDateTime, nullable=True)


# Groups of the unanswered-questions queue.
OPEN = "open"
RESOLVED = "resolved"
DISMISSED = "dismissed"
GROUP_STATES = (OPEN, RESOLVED, DISMISSED)


class UnansweredGroupRow(KbBase):
    """Near-duplicate unanswered questions: one row per way of asking one thing.

    ``text`` is the first question of the group (masked) and ``text_key`` its normal
    form, which later questions are compared with.
    """

    __tablename__ = "kb_unanswered_groups"
    id = Column(Integer, primary_key=True, autoincrement=True)
    text = Column(Text, nullable=False)
    text_key = Column(String(500), nullable=False, index=True)
    state = Column(String(16), nullable=False, default=OPEN)
    first_at = Column(UTCDateTime, nullable=False)
    last_at = Column(UTCDateTime, nullable=False)
    count = Column(Integer, nullable=False, default=0)
    entry_id = Column(Integer, ForeignKey("kb_entries.id"), nullable=True)
    resolved_by = Column(String(128), nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_kb_unanswered_groups_open", "state", "last_at"),)


class UnansweredRow(KbBase):
    """One customer message the robot could not answer (masked), and why."""

    __tablename__ = "kb_unanswered"
    id = Column(Integer, primary_key=True, autoincrement=True)
    group_id = Column(Integer, ForeignKey("kb_unanswered_groups.id"), nullable=False)
    text = Column(Text, nullable=False)
    reason = Column(String(32), nullable=False)
    channel = Column(String(64), nullable=False, default="")
    at = Column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_kb_unanswered_at", "at"),
        Index("ix_kb_unanswered_group", "group_id", "at"),
    )


class AnsweredRow(KbBase):
    """One answer the robot gave from the knowledge base (for knowledge coverage)."""

    __tablename__ = "kb_answered"
    id = Column(Integer, primary_key=True, autoincrement=True)
    entry_id = Column(Integer, nullable=False)
    channel = Column(String(64), nullable=False, default="")
    at = Column(UTCDateTime, nullable=False, index=True)
