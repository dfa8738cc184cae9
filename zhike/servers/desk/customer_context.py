"""The customer context of a conversation: profile, orders, lessons and the bot transcript.

Each part comes from its own source (the business backend through the backend client,
the transcript from Rasa's tracker) and fails on its own: a part that cannot be read is
``null`` and explained in ``errors``, the rest is still answered. Personal data is masked
(:mod:`zhike.common.privacy`) before it leaves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.common.formats import yuan
from zhike.common.privacy import mask_name, mask_phone, mask_text
from zhike.lib.backend_client import (
    BackendClient,
    BackendError,
    BackendUnavailable,
    Customer,
    Lesson,
    Order,
    Ticket,
)
from zhike.lib.handoff import ConversationInfo
from zhike.servers.desk.delivery.rasa_api import RasaApiError, RasaConversations
from zhike.servers.desk.serializers import iso

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ORDERS = 5
MAX_LESSONS = 5
MAX_TRANSCRIPT = 100
MAX_TICKETS = 5
DONE_TICKETS = frozenset({"resolved", "closed"})


def part_error(part: str, code: str, message: str) -> dict[str, str]:
    """One ``errors`` entry: which part is missing and why (the message masked)."""
    return {"part": part, "error": code, "message": mask_text(message)}


def customer_json(customer: Customer) -> dict[str, Any]:
    """A customer with masked name and phone (张*, 138****8001)."""
    return {
        "customer_id": customer.customer_id,
        "name": mask_name(customer.name),
        "phone": mask_phone(customer.phone),
        "vip": customer.vip,
    }


def order_json(order: Order) -> dict[str, Any]:
    """An order's id, status and amount (fen and yuan), without personal data."""
    return {
        "order_id": order.order_id,
        "status": order.status,
        "amount_fen": order.amount_fen,
        "amount": yuan(order.amount_fen),
        "created_at": iso(order.created_at),
    }


def lesson_json(lesson: Lesson) -> dict[str, Any]:
    """An upcoming lesson (the student's name masked)."""
    return {
        "lesson_id": lesson.lesson_id,
        "course_name": lesson.course_name,
        "student_name": mask_name(lesson.student_name),
        "teacher": lesson.teacher,
        "start_at": iso(lesson.start_at),
        "end_at": iso(lesson.end_at),
        "status": lesson.status,
        "request_status": lesson.request_status,
    }


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket's id, category, status and (masked) summary."""
    return {
        "ticket_id": ticket.ticket_id,
        "category": ticket.category,
        "status": ticket.status,
        "summary": mask_text(ticket.summary),
        "created_at": iso(ticket.created_at),
    }


def transcript_json(tracker: dict[str, Any], limit: int = MAX_TRANSCRIPT) -> list[dict[str, Any]]:
    """The user and bot messages of a Rasa tracker, oldest first, masked.

    Bot events an agent sent through Rasa (``metadata.agent_id``) are left out: they are
    in the desk's own transcript. At most the last ``limit`` messages.
    """
    lines: list[dict[str, Any]] = []
    for event in tracker.get("events") or []:
        if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
            continue
        text = event.get("text")
        metadata = event.get("metadata")
        if not isinstance(text, str) or not text.strip():
            continue
        if event["event"] == "bot" and isinstance(metadata, dict) and metadata.get("agent_id"):
            continue
        lines.append({"who": event["event"], "text": mask_text(text), "time": _time(event)})
    return lines[-limit:]


def _time(event: dict[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        return None
    try:
        return iso(datetime.fromtimestamp(stamp, tz=timezone.utc))
    except (OverflowError, OSError, ValueError):
        return None


async def _guarded(
    part: str, call: Awaitable[T], errors: list[dict[str, str]]
) -> tuple[bool, T | None]:
    """Awaits ``call``; a failure becomes an ``errors`` entry and ``(False, None)``."""
    try:
        return True, await call
    except BackendUnavailable as exc:
        errors.append(part_error(part, "backend_unavailable", exc.message))
    except BackendError as exc:
        errors.append(part_error(part, exc.code or "backend_error", exc.message))
    except Exception:
        logger.exception("Reading the %s of the customer context failed", part)
        errors.append(part_error(part, "backend_error", "the backend call failed"))
    return False, None


async def customer_parts(
    backend: BackendClient, customer_id: str | None, errors: list[dict[str, str]]
) -> dict[str, Any]:
    """The profile, recent orders, upcoming lessons and open tickets of ``customer_id``.

    An anonymous conversation (no customer id) answers ``customer: null`` and empty
    lists; a part the backend cannot give is ``null`` with an entry in ``errors``.
    """
    if not customer_id:
        return {"customer": None, "orders": [], "lessons": [], "tickets": []}
    # One after the other: a down backend fails the later calls at once (circuit breaker),
    # and the in-memory fake does not take concurrent transactions.
    c_ok, customer = await _guarded("customer", backend.get_customer(customer_id), errors)
    o_ok, orders = await _guarded("orders", backend.list_orders(customer_id), errors)
    l_ok, lessons = await _guarded(
        "lessons", backend.upcoming_lessons(customer_id, limit=MAX_LESSONS), errors
    )
    t_ok, tickets = await _guarded("tickets", backend.list_tickets(customer_id), errors)
    open_tickets = [t for t in tickets or [] if t.status not in DONE_TICKETS][:MAX_TICKETS]
    return {
        "customer": customer_json(customer) if c_ok and customer is not None else None,
        "orders": [order_json(o) for o in (orders or [])[:MAX_ORDERS]] if o_ok else None,
        "lessons": [lesson_json(lesson) for lesson in lessons or []] if l_ok else None,
        "tickets": [ticket_json(t) for t in open_tickets] if t_ok else None,
    }


async def bot_transcript(
    rasa: RasaConversations | None, sender_id: str, errors: list[dict[str, str]]
) -> list[dict[str, Any]] | None:
    """The bot part of the conversation from Rasa's tracker, or None (with an error)."""
    if rasa is None:
        errors.append(part_error("transcript", "rasa_not_configured", "ZHIKE_DESK_RASA_URL unset"))
        return None
    try:
        return transcript_json(await rasa.tracker(sender_id))
    except RasaApiError as exc:
        errors.append(part_error("transcript", "rasa_unavailable", str(exc)))
        return None


async def conversation_context(
    backend: BackendClient, rasa: RasaConversations | None, info: ConversationInfo
) -> dict[str, Any]:
    """The whole context document of a conversation (never raises for a source down)."""
    errors: list[dict[str, str]] = []
    parts, transcript = await asyncio.gather(
        customer_parts(backend, info.customer_id, errors),
        bot_transcript(rasa, info.sender_id, errors),
    )
    return {
        "conversation_id": info.id,
        **parts,
        "transcript": transcript,
        "errors": errors,
    }
