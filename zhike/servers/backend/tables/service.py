"""Service and identity tables: tickets (+ notes), phone checks, bindings, codes, counters, ids."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base


class Ticket(Base):
    """A service ticket (id like ``TK20240001``) handed to human agents.

    ``idempotency_key`` is the client's ``Idempotency-Key`` header: a repeat of the same
    key finds this ticket instead of opening another one. ``notes`` are the customer's
    follow-ups, oldest first (load them explicitly, e.g. ``selectinload(Ticket.notes)``).
    """

    __tablename__ = "tickets"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=True, index=True)
    category = Column(String(32), nullable=False)
    summary = Column(Text, nullable=False)
    status = Column(String(32), nullable=False)  # open, in_progress, resolved, closed
    channel = Column(String(32), nullable=False, default="", server_default="")
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    notes = relationship(
        "TicketNote", order_by="TicketNote.id", cascade="all, delete-orphan", lazy="raise"
    )


class TicketNote(Base):
    """A note the customer added to an open ticket (a follow-up message), oldest id first.

    ``idempotency_key`` is the client's ``Idempotency-Key`` header: a repeat of the same
    key finds this note instead of adding it again.
    """

    __tablename__ = "ticket_notes"
    id = Column(Integer, primary_key=True, autoincrement=True)
    ticket_id = Column(String(16), ForeignKey("tickets.id"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    idempotency_key = Column(String(128), nullable=True, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class PhoneCheckAttempts(Base):
    """Wrong phone-digit tries of one requester on one order, and the lock they caused.

    ``order_id`` is deliberately no foreign key: tries on unknown orders count too.
    """

    __tablename__ = "phone_check_attempts"
    order_id = Column(String(16), primary_key=True)
    requester = Column(String(128), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime, nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class AttemptCounter(Base):
    """Failed tries counted in a window for one ``scope`` and ``key``, and their lock.

    Scopes: ``order`` (wrong phone digits on one order, from any requester), ``address``
    (wrong phone digits from one client address), and lock-only rows that serialise the
    code limits (``code_phone``, ``code_all``). Rows are shared by every replica.
    """

    __tablename__ = "attempt_counters"
    scope = Column(String(16), primary_key=True)
    key = Column(String(128), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    window_started_at = Column(UTCDateTime, nullable=True)
    locked_until = Column(UTCDateTime, nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ChannelBinding(Base):
    """A channel user (WeChat openid, web user id ...) bound to a customer.

    ``updated_at`` is when it was (last) bound: a binding lasts a channel-dependent
    lifetime from then (see :mod:`zhike.servers.backend.services.bindings`).
    """

    __tablename__ = "channel_bindings"
    channel = Column(String(32), primary_key=True)
    channel_user_id = Column(String(128), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    customer = relationship("Customer", lazy="raise")


class BindingCode(Base):
    """A one-time code sent to a phone to bind a channel user.

    Only ``code_hash`` = HMAC-SHA256(``salt``, code) is stored, never the code. A code is
    void once ``used``, expired (``expires_at``) or after 5 wrong ``attempts``.
    ``request_id`` is the opaque handle the caller confirms the code with (the phone
    stays here, server-side).
    """

    __tablename__ = "binding_codes"
    __table_args__ = (
        Index("ix_binding_codes_user", "channel", "channel_user_id", "created_at"),
        Index("ix_binding_codes_phone", "phone", "created_at"),
        Index("ix_binding_codes_created", "created_at"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    request_id = Column(String(64), nullable=True, unique=True)
    phone = Column(String(20), nullable=False)
    channel = Column(String(32), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    salt = Column(String(64), nullable=False)
    code_hash = Column(String(64), nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    used = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class IdSequence(Base):
    """The last number handed out for an id prefix (``RF``, ``IV``, ``LR``, ``TK``)."""

    __tablename__ = "id_sequences"
    prefix = Column(String(8), primary_key=True)
    last_value = Column(Integer, nullable=False)
