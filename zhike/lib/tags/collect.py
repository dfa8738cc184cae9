"""The facts about a customer that tag rules count, read from their sources.

Business data (profile, refunds, tickets, course enrolments) comes through the backend
client, the only door to it; conversations (channel, the intent of the bot's handoff
summary, the rating) from the handoff database. A source that fails is reported as missing
(:attr:`CustomerFacts.missing`), never as empty, so the tags it decides are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from sqlalchemy import select

from zhike.lib.backend_client import BackendClient, BackendError
from zhike.lib.handoff import HandoffDatabase
from zhike.lib.handoff.models import Conversation
from zhike.lib.tags.evaluate import CustomerFacts, Record

logger = logging.getLogger(__name__)
MAX_CONVERSATIONS = 500  # the newest ones; enough for any window the rules use


async def _profile(backend: BackendClient, customer_id: str) -> list[Record]:
    customer = await backend.get_customer(customer_id)
    return [] if customer is None else [Record(None, {"vip": bool(customer.vip)})]


async def _refunds(backend: BackendClient, customer_id: str) -> list[Record]:
    records = []
    for order in await backend.list_orders(customer_id) or []:
        for refund in order.refunds:
            fields = {
                "status": refund.status,
                "amount_fen": refund.amount_fen,
                "order_id": order.order_id,
            }
            records.append(Record(refund.created_at or order.created_at, fields))
    return records


async def _tickets(backend: BackendClient, customer_id: str) -> list[Record]:
    return [
        Record(ticket.created_at, {"category": ticket.category, "status": ticket.status})
        for ticket in await backend.list_tickets(customer_id)
    ]


async def _enrolments(backend: BackendClient, customer_id: str) -> list[Record]:
    return [
        Record(
            enrolment.enrolled_at,
            {"status": enrolment.status, "course_name": enrolment.course_name},
        )
        for student in await backend.list_students(customer_id)
        for enrolment in student.enrollments
    ]


BACKEND_SOURCES: dict[str, Callable[[BackendClient, str], Awaitable[list[Record]]]] = {
    "profile": _profile,
    "refunds": _refunds,
    "tickets": _tickets,
    "enrolments": _enrolments,
}


async def conversation_records(db: HandoffDatabase, customer_id: str) -> list[Record]:
    """The customer's handed-over conversations, newest first."""
    query = (
        select(Conversation)
        .where(
            Conversation.customer_id == customer_id,
            Conversation.handoff_requested_at.is_not(None),
        )
        .order_by(Conversation.id.desc())
        .limit(MAX_CONVERSATIONS)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
    records = []
    for row in rows:
        summary: Any = row.summary if isinstance(row.summary, dict) else {}
        intent = summary.get("intent")
        fields = {
            "channel": row.channel,
            "intent": intent if isinstance(intent, str) else None,
            "rating": row.rating,
            "state": row.state,
            "skill_group": row.skill_group,
        }
        records.append(Record(row.handoff_requested_at, fields))
    return records


async def collect_facts(
    customer_id: str,
    backend: BackendClient,
    handoff_db: HandoffDatabase,
    sources: Collection[str],
) -> CustomerFacts:
    """The records of ``sources`` for ``customer_id``; failed sources are ``missing``.

    The backend is asked one source after the other: a backend that is down fails the
    later calls at once (its circuit breaker).
    """
    records: dict[str, list[Record]] = {}
    missing = set()
    for source in sources:
        try:
            if source == "conversations":
                records[source] = await conversation_records(handoff_db, customer_id)
            elif source in BACKEND_SOURCES:
                records[source] = await BACKEND_SOURCES[source](backend, customer_id)
            else:
                missing.add(source)
        except BackendError as error:
            if error.status == 404:  # a customer the backend does not know has no records
                records[source] = []
                continue
            logger.warning("tags: the %s of a customer could not be read: %s", source, error.code)
            missing.add(source)
        except Exception:
            logger.exception("tags: reading the %s of a customer failed", source)
            missing.add(source)
    return CustomerFacts(customer_id, records, frozenset(missing))
