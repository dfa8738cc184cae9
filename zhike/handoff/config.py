"""Settings of the handoff service and the skill-group matching of topics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from zhike.handoff.hours import BusinessHours

MAX_TEXT = 2000
MAX_COMMENT = 500
MAX_KEY = 128


def default_hours() -> BusinessHours:
    """09:00-21:00 Asia/Shanghai, Monday to Sunday."""
    return BusinessHours(time(9), time(21), ZoneInfo("Asia/Shanghai"))


@dataclass(frozen=True)
class HandoffSettings:
    """Tunables of :class:`~zhike.handoff.service.HandoffService`.

    Attributes:
        hours: When the desk is staffed.
        default_wait: Wait per queue position when no recent MTTA is known.
        ticket_reply_within: How soon a ticket opened for lack of agents is answered
            (within business hours).
        mtta_sample: How many recent acceptances of a group the wait estimate averages.
        max_text: Longest message text, in characters.
        max_comment: Longest rating comment, in characters.
        rating_window: How long after an agent closed a conversation a rating still
            belongs to it (later ratings rate the bot's conversation).
    """

    hours: BusinessHours = field(default_factory=default_hours)
    default_wait: timedelta = timedelta(minutes=3)
    ticket_reply_within: timedelta = timedelta(hours=2)
    mtta_sample: int = 20
    max_text: int = MAX_TEXT
    max_comment: int = MAX_COMMENT
    rating_window: timedelta = timedelta(hours=24)


# Topic (Rasa intent or a keyword of it) -> skill group; the first matching prefix wins.
_TOPIC_PREFIXES: tuple[tuple[str, str], ...] = (
    ("order", "orders"),
    ("query_order", "orders"),
    ("list_orders", "orders"),
    ("cancel_order", "orders"),
    ("modify_address", "orders"),
    ("query_logistics", "orders"),
    ("tracking", "orders"),
    ("courier", "orders"),
    ("refund", "orders"),
    ("request_refund", "orders"),
    ("query_refund", "orders"),
    ("invoice", "orders"),
    ("request_invoice", "orders"),
    ("course", "courses"),
    ("query_course", "courses"),
    ("reschedule_course", "courses"),
    ("cancel_course", "courses"),
    ("lesson", "courses"),
    ("subscribe_course", "courses"),
    ("unsubscribe_course", "courses"),
)


def skill_group_for(topic: str | None) -> str:
    """The skill group for a conversation topic, e.g. the last business intent.

    ``query_order`` / ``request_refund`` / ``request_invoice`` -> ``orders``;
    ``query_course`` / ``reschedule_course`` -> ``courses``; anything else -> ``general``.
    """
    name = (topic or "").strip().lower()
    for prefix, group in _TOPIC_PREFIXES:
        if name.startswith(prefix):
            return group
    return "general"
