"""The agent's inbox: the queue and their own conversations as the page lists them.

Each row names the customer (their masked name from the backend, or a readable label
such as ``访客 3F2A`` for an anonymous one), the channel in Chinese, a preview of the
last message, how long the customer has been waiting (in the queue, or for the agent's
answer to their latest message) and how many customer messages there are, so the page
can count the unread ones. Rows are sorted by waiting time, longest first. Read-only
queries on the handoff tables; customer names are cached for a few minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from zhike.common.privacy import mask_name, mask_text
from zhike.lib.backend_client import BackendClient
from zhike.lib.handoff import ConversationInfo, HandoffService
from zhike.lib.handoff.models import Conversation, Message
from zhike.servers.desk.labels import CHANNEL_LABELS, visitor_label
from zhike.servers.desk.serializers import iso, masked

logger = logging.getLogger(__name__)

PREVIEW = 60
NAME_TTL = 300.0  # seconds a customer's name is kept
FAILED_TTL = 30.0  # seconds before asking the backend again for a name it could not give
HISTORY = 5


@dataclass(frozen=True)
class Activity:
    """The messages of one conversation in brief."""

    last: Message | None = None
    last_user_seq: int = 0
    last_agent_seq: int = 0
    user_messages: int = 0
    last_user_at: datetime | None = None


@dataclass
class NameCache:
    """Masked customer names by customer id, asked of the backend at most every few minutes."""

    backend: BackendClient
    clock: Any = time.monotonic
    _names: dict[str, tuple[str | None, float]] = field(default_factory=dict)

    async def name(self, customer_id: str) -> str | None:
        """The masked name (``张*``), None when unknown or the backend cannot say."""
        cached = self._names.get(customer_id)
        if cached is not None and cached[1] > self.clock():
            return cached[0]
        try:
            customer = await self.backend.get_customer(customer_id)
            found = mask_name(customer.name) if customer is not None and customer.name else None
            ttl = NAME_TTL
        except Exception as error:  # the inbox goes on without the name
            logger.info("Customer name not available: %s", type(error).__name__)
            found, ttl = None, FAILED_TTL
        self._names[customer_id] = (found, self.clock() + ttl)
        return found


async def activities(service: HandoffService, ids: Iterable[int]) -> dict[int, Activity]:
    """The brief of each conversation's messages (two queries for all of them)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    is_user = Message.direction == "user"
    stats = (
        select(
            Message.conversation_id,
            func.max(Message.seq),
            func.max(case((is_user, Message.seq), else_=0)),
            func.max(case((Message.direction == "agent", Message.seq), else_=0)),
            func.sum(case((is_user, 1), else_=0)),
        )
        .where(Message.conversation_id.in_(wanted))
        .group_by(Message.conversation_id)
    )
    async with service.db.session() as session:
        rows = (await session.execute(stats)).all()
        pairs = [(cid, seq) for cid, last, user, _, _ in rows for seq in {last, user} if seq]
        picked = (
            await session.execute(
                select(Message).where(
                    or_(*(and_(Message.conversation_id == c, Message.seq == s) for c, s in pairs))
                )
            )
            if pairs
            else None
        )
        messages = {(m.conversation_id, m.seq): m for m in (picked.scalars() if picked else [])}
    found = {}
    for cid, last, user, agent, count in rows:
        user_message = messages.get((cid, user))
        found[cid] = Activity(
            last=messages.get((cid, last)),
            last_user_seq=int(user or 0),
            last_agent_seq=int(agent or 0),
            user_messages=int(count or 0),
            last_user_at=user_message.created_at if user_message else None,
        )
    return found


def preview(activity: Activity, summary: dict[str, Any]) -> dict[str, Any] | None:
    """The last message in brief (``who``, ``text``), or the last thing said to the bot."""
    last = activity.last
    if last is not None and last.text:
        text = mask_text(" ".join(last.text.split()))
        return {"who": last.direction, "text": text[:PREVIEW], "at": iso(last.created_at)}
    recent = summary.get("recent_messages") if isinstance(summary, dict) else None
    if isinstance(recent, list) and recent and isinstance(recent[-1], str):
        return {"who": "user", "text": mask_text(recent[-1])[:PREVIEW], "at": None}
    return None


async def row(
    info: ConversationInfo,
    activity: Activity,
    names: NameCache | None,
    now: datetime,
    position: int | None = None,
) -> dict[str, Any]:
    """One inbox row of ``info``: who, where, what was said last, how long they wait."""
    name = await names.name(info.customer_id) if names and info.customer_id else None
    if name is None and info.customer_id:
        name = f"客户 {masked(info.customer_id)}"
    if name is None:
        name = visitor_label(info.sender_id)
    if info.state == "queued":
        since, kind = info.queued_at, "queue"
    elif activity.last_user_seq > activity.last_agent_seq:
        since, kind = activity.last_user_at or info.agent_assigned_at, "reply"
    else:
        since, kind = None, None
    return {
        "conversation_id": info.id,
        "sender_id": masked(info.sender_id),
        "customer_id": masked(info.customer_id),
        "name": name,
        "anonymous": not info.customer_id,
        "channel": info.channel,
        "channel_label": CHANNEL_LABELS.get(info.channel, info.channel),
        "skill_group": info.skill_group,
        "state": info.state,
        "position": position,
        "queued_at": iso(info.queued_at),
        "waiting": kind,
        "waiting_seconds": max(0, int((now - since).total_seconds())) if since else None,
        "preview": preview(activity, info.summary),
        "last_seq": activity.last.seq if activity.last else 0,
        "user_messages": activity.user_messages,
    }


def by_wait(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Longest wait first; rows nobody waits on (the agent answered) last, newest first."""
    return sorted(
        rows,
        key=lambda r: (r["waiting_seconds"] is None, -(r["waiting_seconds"] or 0), -r["last_seq"]),
    )


async def history(
    service: HandoffService, info: ConversationInfo, limit: int = HISTORY
) -> list[dict[str, Any]]:
    """The customer's earlier conversations (by customer id, else by sender), newest first."""
    same = (
        Conversation.customer_id == info.customer_id
        if info.customer_id
        else and_(Conversation.sender_id == info.sender_id, Conversation.channel == info.channel)
    )
    query = (
        select(Conversation)
        .where(same, Conversation.id != info.id, Conversation.handoff_requested_at.is_not(None))
        .order_by(Conversation.id.desc())
        .limit(limit)
    )
    async with service.db.session() as session:
        rows = (await session.execute(query)).scalars().all()
    return [
        {
            "conversation_id": r.id,
            "channel": r.channel,
            "channel_label": CHANNEL_LABELS.get(r.channel, r.channel),
            "skill_group": r.skill_group,
            "state": r.state,
            "handoff_requested_at": iso(r.handoff_requested_at),
            "closed_at": iso(r.closed_at),
            "disposition": masked(r.disposition),
            "rating": r.rating,
        }
        for r in rows
    ]
