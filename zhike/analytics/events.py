"""What one Rasa tracker event says for analytics (pure functions, no database).

Rasa publishes every event of a conversation to its event broker as a JSON object with
``sender_id``, ``event`` (``user``, ``bot``, ``action``, ``slot``, ``session_started``,
``active_loop`` ...), ``timestamp`` (UNIX seconds) and the event's own fields.
:func:`read_event` turns one into an :class:`EventFacts` (or ``None`` for events that
say nothing the analytics count); :func:`event_key` names an event by its content, so
the same event read twice (a replay, a redelivered queue message) is recognised.

Not counted as messages: commands to Rasa (``/session_start``, ``/restart``) and the
bot events the desk appends for an agent's reply (metadata ``agent_id``), which come
from the handoff tables instead. A message is a fallback when the bot answered it with a
fallback action (the two-stage fallback, its rephrase question, the final fallback):
an unsure intent inside a form that took the answer anyway is not one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from zhike.common.privacy import mask_text
from zhike.common.topic_names import KB_ANSWERED_SLOT

FALLBACK_INTENT = "nlu_fallback"
# The bot's answers to a message it did not understand (data/rules/fallback.yml, config.yml).
FALLBACK_ACTIONS = frozenset(
    {"action_two_stage_fallback", "action_default_ask_affirmation", "action_default_fallback"}
)
CORE_FALLBACK = "action_default_fallback"  # the policies were unsure: whatever the intent
# Messages that are commands to Rasa, not the customer's words (a new session, a restart).
COMMANDS = frozenset({"session_start", "restart"})
AGENT_METADATA = "agent_id"  # a bot event the desk appended: an agent's reply
KB_ACTION = "action_answer_knowledge"
KB_ENTRY_ENTITY = "kb_entry"
CUSTOMER_SLOT = "customer_id"
HANDOFF_REASON_SLOT = "handoff_reason"
# Bot responses that tell what the knowledge base did, or ask for a rating.
KB_NO_ANSWER = "utter_kb_no_answer"
KB_DID_YOU_MEAN = "utter_kb_did_you_mean"
KB_NOT_THESE = "utter_kb_not_these"
ASK_RATING = "utter_ask_rating"
# The bot ended the conversation: a form still open before it was left, not abandoned.
CLOSINGS = frozenset({"utter_goodbye", ASK_RATING})
MAX_TEXT = 2000

# Facts kinds.
SESSION = "session"
USER = "user"
BOT = "bot"
KB_LOOKUP = "kb_lookup"
KB_ANSWER = "kb_answer"
CUSTOMER = "customer"
HANDOFF_REASON = "handoff_reason"
LOOP = "loop"
FALLBACK = "fallback"


@dataclass(frozen=True)
class EventFacts:
    """The analytics content of one event.

    Attributes:
        key: The event's identity (:func:`event_key`).
        kind: One of the kinds above (``session``, ``user``, ``bot``, ``kb_lookup`` ...).
        sender_id: The Rasa conversation (sender) id.
        at: When it happened (UTC).
        channel: The input channel of a user message.
        text: The message text, masked.
        intent: The predicted intent of a user message.
        confidence: Its confidence.
        value: The slot value, loop name or response name (``utter_action``).
        kb_pick: The message is a knowledge-base suggestion button.
    """

    key: str
    kind: str
    sender_id: str
    at: datetime
    channel: str | None = None
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    value: str | None = None
    kb_pick: bool = False


def event_key(event: dict[str, Any]) -> str:
    """The SHA-256 of the event's canonical JSON: equal events, equal keys."""
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _timestamp(event: dict[str, Any]) -> datetime | None:
    raw = event.get("timestamp")
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(float(raw), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    return mask_text(str(value or "").strip()[:MAX_TEXT])


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _user(base: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    parse = _dict(event.get("parse_data"))
    intent = _dict(parse.get("intent"))
    confidence = intent.get("confidence")
    entities = parse.get("entities")
    entities = entities if isinstance(entities, list) else []
    pick = any(isinstance(e, dict) and e.get("entity") == KB_ENTRY_ENTITY for e in entities)
    return {
        **base,
        "kind": USER,
        "channel": str(event.get("input_channel") or "") or None,
        "text": _text(event.get("text")),
        "intent": str(intent.get("name")) if intent.get("name") else None,
        "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
        "kb_pick": pick,
    }


def _bot(base: dict[str, Any], event: dict[str, Any]) -> dict[str, Any] | None:
    metadata = _dict(event.get("metadata"))
    if metadata.get(AGENT_METADATA):
        return None  # counted from the handoff tables, with its agent
    utter = metadata.get("utter_action")
    return {
        **base,
        "kind": BOT,
        "text": _text(event.get("text")),
        "value": str(utter) if utter else None,
    }


def _slot(base: dict[str, Any], event: dict[str, Any]) -> dict[str, Any] | None:
    name, value = event.get("name"), event.get("value")
    if name == KB_ANSWERED_SLOT and value not in (None, ""):
        return {**base, "kind": KB_ANSWER}
    if name == CUSTOMER_SLOT and isinstance(value, str) and value:
        return {**base, "kind": CUSTOMER, "value": value[:64]}
    if name == HANDOFF_REASON_SLOT and isinstance(value, str) and value:
        return {**base, "kind": HANDOFF_REASON, "value": value[:64]}
    return None


def read_event(event: Any) -> EventFacts | None:
    """The analytics facts of a serialised Rasa event (``None``: nothing to count).

    Malformed events (no sender, no timestamp) are ``None`` too: the consumer skips them.
    """
    if not isinstance(event, dict):
        return None
    sender, at, kind = event.get("sender_id"), _timestamp(event), event.get("event")
    if not isinstance(sender, str) or not sender or at is None:
        return None
    base: dict[str, Any] = {"key": event_key(event), "sender_id": sender[:255], "at": at}
    facts: dict[str, Any] | None = None
    if kind == "session_started":
        facts = {**base, "kind": SESSION}
    elif kind == "user":
        facts = _user(base, event)
        if facts["intent"] in COMMANDS:
            facts = None
    elif kind == "bot":
        facts = _bot(base, event)
    elif kind == "action" and event.get("name") == KB_ACTION:
        facts = {**base, "kind": KB_LOOKUP}
    elif kind == "action" and event.get("name") in FALLBACK_ACTIONS:
        facts = {**base, "kind": FALLBACK, "value": str(event["name"])}
    elif kind == "slot":
        facts = _slot(base, event)
    elif kind == "active_loop":
        name = event.get("name")
        facts = {**base, "kind": LOOP, "value": str(name) if name else None}
    return EventFacts(**facts) if facts else None
