"""One timeline of a handed-over conversation: the bot's part, the desk's messages, events.

Three sources make it, merged by time:

- the bot's part from Rasa's tracker of the conversation's sender: what the customer
  said to the bot and what it answered, with the buttons it offered and, for a click,
  the title of the button clicked (the customer "sent" its payload). Only the session in
  which the bot handed over counts, up to half an hour after the close (the rating).
  Customer messages the desk stored as well (relayed under ``<sender>:<message id>``) and
  agent replies delivered through Rasa (``metadata.agent_id``) are taken from the desk;
- the desk's transcript (customer, agent with their name, system notes);
- system events from the episode's timestamps: handed over and queued, re-queued by a
  transfer, accepted, closed (with the disposition), rated.

Texts are masked (:func:`zhike.common.privacy.mask_text`) and plain text, never HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from zhike.common.privacy import mask_text
from zhike.lib.handoff import ConversationInfo, StoredMessage
from zhike.servers.desk.labels import DISPOSITION_LABELS, SKILL_GROUP_LABELS
from zhike.servers.desk.serializers import iso

AFTER_CLOSE = timedelta(minutes=30)  # the rating question and the customer's answer
MAX_BOT_EVENTS = 200
_FAR = datetime.max.replace(tzinfo=timezone.utc)


def _stamp(event: Mapping[str, Any]) -> datetime | None:
    value = event.get("timestamp")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _window(events: list[Any], info: ConversationInfo) -> tuple[datetime | None, datetime]:
    """The start (the session the handoff happened in) and end of the bot's part."""
    handed = info.handoff_requested_at or info.queued_at
    start = None
    for event in events:
        if not isinstance(event, dict) or event.get("event") != "session_started":
            continue
        at = _stamp(event)
        if at is not None and (handed is None or at <= handed):
            start = at
    end = info.closed_at + AFTER_CLOSE if info.closed_at else _FAR
    return start, end


def _buttons(event: Mapping[str, Any]) -> list[dict[str, str]]:
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    found = []
    for button in (data or {}).get("buttons") or []:
        if isinstance(button, dict) and isinstance(button.get("title"), str):
            title, payload = mask_text(button["title"]), str(button.get("payload") or "")
            found.append({"title": title, "payload": payload})
    return found


def bot_part(
    tracker: Mapping[str, Any], info: ConversationInfo, relayed_keys: Iterable[str]
) -> list[dict[str, Any]]:
    """The bot's part of the conversation from its Rasa tracker, oldest first.

    Args:
        tracker: Rasa's tracker of ``info.sender_id`` (``GET /conversations/<id>/tracker``).
        info: The episode.
        relayed_keys: Idempotency keys of the customer messages the desk stored.

    Returns:
        Items ``{"key", "kind": "user"|"bot", "source": "bot", "text", "time",
        "buttons": [titles], "clicked": bool}``; a click shows the button's title.
    """
    events = [e for e in tracker.get("events") or [] if isinstance(e, dict)]
    start, end = _window(events, info)
    skip = set(relayed_keys)
    offered: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        at = _stamp(event)
        if at is not None and ((start is not None and at < start) or at > end):
            continue
        raw = event.get("text")
        text: str = raw if isinstance(raw, str) else ""
        metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
        if kind == "bot":
            if (metadata or {}).get("agent_id") or (metadata or {}).get("zhike_notice"):
                continue  # an agent's reply or a notice: the desk's transcript has it
            buttons = _buttons(event)
            if not text.strip() and not buttons:
                continue
            offered = {b["payload"]: b["title"] for b in buttons if b["payload"]} or offered
            items.append(_item(f"b:{index}", "bot", text, at, [b["title"] for b in buttons]))
            continue
        if f"{tracker.get('sender_id') or info.sender_id}:{event.get('message_id')}" in skip:
            continue
        clicked = text in offered
        shown = offered[text] if clicked else text
        if not shown.strip():
            continue
        items.append(_item(f"b:{index}", "user", shown, at, [], clicked=clicked))
    return items[-MAX_BOT_EVENTS:]


def _item(
    key: str,
    kind: str,
    text: str,
    at: datetime | None,
    buttons: list[str],
    clicked: bool = False,
    source: str = "bot",
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "source": source,
        "text": mask_text(text),
        "time": iso(at),
        "buttons": buttons,
        "clicked": clicked,
        "_at": at,
    }


def desk_part(messages: Iterable[StoredMessage], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The desk's transcript as timeline items (``key`` ``m:<seq>``, agents named)."""
    items = []
    for message in messages:
        item = _item(f"m:{message.seq}", message.direction, message.text, message.created_at, [])
        item["source"] = "desk"
        item["seq"] = message.seq
        agent_id = (message.payload or {}).get("agent_id") if message.direction == "agent" else None
        if isinstance(agent_id, str):
            item["agent_id"] = agent_id
            item["agent_name"] = names.get(agent_id, agent_id)
        items.append(item)
    return items


def events_part(info: ConversationInfo, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """System events from the episode's timestamps, in Chinese (``key`` ``e:<event>``)."""
    group = SKILL_GROUP_LABELS.get(info.skill_group, info.skill_group)
    reason = info.summary.get("reason") if isinstance(info.summary, dict) else None
    agent = names.get(info.agent_id or "", info.agent_id or "坐席")
    found: list[tuple[str, datetime | None, str]] = []
    if info.handoff_requested_at:
        why = f"（{reason}）" if isinstance(reason, str) and reason else ""
        found.append(("queued", info.handoff_requested_at, f"机器人转人工{why}，进入排队"))
    queued, handed = info.queued_at, info.handoff_requested_at
    if queued and handed and queued - handed > timedelta(seconds=1):
        found.append(("transferred", info.queued_at, f"已转接到{group}，重新排队"))
    if info.agent_assigned_at:
        who = agent if info.agent_id else "坐席"
        found.append(("accepted", info.agent_assigned_at, f"{who} 接入了会话"))
    if info.closed_at:
        label = DISPOSITION_LABELS.get(info.disposition or "", info.disposition or "")
        found.append(("closed", info.closed_at, "会话已结束" + (f"（{label}）" if label else "")))
    if info.rated_at and info.rating:
        stars = "★" * info.rating + "☆" * (5 - info.rating)
        comment = f"：{info.comment}" if info.comment else ""
        found.append(("rated", info.rated_at, f"客户评价 {stars} {info.rating} 分{comment}"))
    return [_item(f"e:{name}", "system", text, at, [], source="event") for name, at, text in found]


def timeline(
    info: ConversationInfo,
    messages: list[StoredMessage],
    tracker: Mapping[str, Any] | None,
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Every item of the conversation, by time (items without a time last)."""
    relayed = [m.idempotency_key for m in messages if m.direction == "user"]
    items = [
        *(bot_part(tracker, info, relayed) if tracker is not None else []),
        *desk_part(messages, names),
        *events_part(info, names),
    ]
    order = {"bot": 0, "event": 1, "desk": 2}
    items.sort(key=lambda item: (item["_at"] or _FAR, order[item["source"]], item.get("seq", 0)))
    for item in items:
        del item["_at"]
    return items
