"""SQLAlchemy models of the desk's accounts and sessions, on their own metadata (``desk_*``).

An account belongs to one handoff agent (``agent_id`` = ``handoff_agents.id``; no foreign
key, the tables have separate metadata). Passwords are stored only as scrypt hashes and
sessions only as SHA-256 digests of their tokens.

Roles: ``agent`` and ``supervisor`` for conversations (a supervisor sees every queue);
``editor`` and ``reviewer`` work conversations like an agent and also write, or review
and publish, knowledge-base entries (the knowledge base's role of the same name).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

from zhike.common.times import UTCDateTime, utcnow

DeskBase: Any = declarative_base()

AGENT_ROLE = "agent"
SUPERVISOR_ROLE = "supervisor"
EDITOR_ROLE = "editor"  # also writes knowledge-base entries (zhike.lib.kb.permissions)
REVIEWER_ROLE = "reviewer"  # also reviews and publishes knowledge-base entries
ROLES = (AGENT_ROLE, SUPERVISOR_ROLE, EDITOR_ROLE, REVIEWER_ROLE)


class Account(DeskBase):
    """A desk login: username, scrypt password hash, role and the handoff agent it acts as."""

    __tablename__ = "desk_accounts"
    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    agent_id = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False, default=AGENT_ROLE)
    password_hash = Column(String(255), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Session(DeskBase):
    """A server-side login session: the SHA-256 of its cookie token and its CSRF token."""

    __tablename__ = "desk_sessions"
    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    account_id = Column(Integer, ForeignKey("desk_accounts.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False, index=True)


class LoginFailure(DeskBase):
    """One failed login attempt for a username (known or not) from a client address.

    The rate limits count these rows (:mod:`zhike.servers.desk.login_limits`); ``address`` is
    the client's address key (``None`` for rows written before addresses were counted).
    """

    __tablename__ = "desk_login_failures"
    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, index=True)
    address = Column(String(64), nullable=True, index=True)
    at = Column(UTCDateTime, nullable=False)
