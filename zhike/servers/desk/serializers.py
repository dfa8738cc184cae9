"""JSON documents of the desk API (plain dicts; times as ISO 8601 UTC).

Everything that can carry a customer's words or identifiers is masked on the way out
(:func:`zhike.common.privacy.mask_text`, ``mask_data``), also rows stored before the handoff
library masked what it stores, and an agent's own replies (stored as sent).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from zhike.common.privacy import mask_data, mask_text
from zhike.lib.handoff import AgentLoad, ConversationInfo, OutboxInfo, QueueEntry, StoredMessage
from zhike.servers.desk.auth import AccountInfo


def masked(value: str | None) -> str | None:
    """``value`` with phone and ID-card numbers masked (None stays None)."""
    return mask_text(value) if isinstance(value, str) else value


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or None."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def account_json(account: AccountInfo) -> dict[str, Any]:
    """An account (never its password hash)."""
    return {"username": account.username, "agent_id": account.agent_id, "role": account.role}


def agent_json(load: AgentLoad) -> dict[str, Any]:
    """An agent with their current load."""
    return {
        "agent_id": load.agent_id,
        "name": load.name,
        "online": load.online,
        "supervisor": load.supervisor,
        "skill_groups": list(load.skill_groups),
        "active": load.active,
        "max_concurrent": load.max_concurrent,
        "free": load.free,
        "conversation_ids": list(load.conversation_ids),
    }


def queue_entry_json(entry: QueueEntry) -> dict[str, Any]:
    """A waiting conversation with its position and waiting time."""
    return {
        "conversation_id": entry.conversation_id,
        "sender_id": masked(entry.sender_id),
        "channel": entry.channel,
        "skill_group": entry.skill_group,
        "position": entry.position,
        "queued_at": iso(entry.queued_at),
        "waiting_seconds": int(entry.waiting.total_seconds()),
    }


def conversation_json(info: ConversationInfo) -> dict[str, Any]:
    """An episode with the bot's summary and its timestamps."""
    return {
        "id": info.id,
        "sender_id": masked(info.sender_id),
        "channel": info.channel,
        "customer_id": masked(info.customer_id),
        "state": info.state,
        "skill_group": info.skill_group,
        "agent_id": info.agent_id,
        "summary": mask_data(info.summary),
        "disposition": masked(info.disposition),
        "handoff_requested_at": iso(info.handoff_requested_at),
        "queued_at": iso(info.queued_at),
        "agent_assigned_at": iso(info.agent_assigned_at),
        "first_agent_reply_at": iso(info.first_agent_reply_at),
        "closed_at": iso(info.closed_at),
        "rating": info.rating,
    }


def message_json(message: StoredMessage) -> dict[str, Any]:
    """A message of the transcript; ``text`` is plain text, never HTML."""
    return {
        "seq": message.seq,
        "direction": message.direction,
        "text": mask_text(message.text),
        "payload": mask_data(message.payload),
        "created_at": iso(message.created_at),
    }


def outbox_json(entry: OutboxInfo) -> dict[str, Any]:
    """A notification for the bot's side and how its delivery goes (never message text)."""
    return {
        "id": entry.id,
        "conversation_id": entry.conversation_id,
        "sender_id": masked(entry.sender_id),
        "kind": entry.kind,
        "message_seq": entry.message_seq,
        "state": entry.state,
        "attempts": entry.attempts,
        "created_at": iso(entry.created_at),
        "next_attempt_at": iso(entry.next_attempt_at) if entry.state == "pending" else None,
        "in_flight": entry.locked_until is not None,
        "delivered_at": iso(entry.delivered_at),
        "dead_at": iso(entry.dead_at),
        "last_error": masked(entry.last_error),
    }
