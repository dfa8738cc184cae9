"""Settings of the handoff service and the skill-group matching of topics."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from zhike.lib.handoff.hours import BusinessHours

MAX_TEXT = 2000
MAX_COMMENT = 500
MAX_KEY = 128


def default_hours() -> BusinessHours:
    """09:00-21:00 Asia/Shanghai, Monday to Sunday."""
    return BusinessHours(time(9), time(21), ZoneInfo("Asia/Shanghai"))


@dataclass(frozen=True)
class HandoffSettings:
    """Tunables of :class:`~zhike.lib.handoff.service.HandoffService`.

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

    def ticket_reply_by(self, opened: datetime) -> datetime:
        """When a ticket opened at ``opened`` for lack of an agent is promised a reply."""
        return self.hours.next_opening(opened + self.ticket_reply_within)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a failed outbox notification is tried again.

    The n-th retry waits ``first_delay * 2**(n-1)``, at most ``max_delay``, times a
    random factor in [0.5, 1] (jitter, so many failed rows do not retry in lockstep). A
    row is dead after ``max_attempts`` attempts or once it is older than ``max_age``.

    Attributes:
        first_delay: The wait before the first retry.
        max_delay: The longest wait between two attempts.
        max_attempts: Attempts (including the first) before giving up.
        max_age: How long after it was written a row is still tried.
    """

    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)
    max_attempts: int = 20
    max_age: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.first_delay <= timedelta() or self.max_delay < self.first_delay:
            raise ValueError("retry delays must be positive and first_delay <= max_delay")
        if self.max_attempts < 1 or self.max_age <= timedelta():
            raise ValueError("max_attempts and max_age must be positive")

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after ``attempts`` failed attempts (1 = after the first), with jitter."""
        exponent = min(max(attempts, 1) - 1, 24)
        base = min(self.first_delay * (2**exponent), self.max_delay)
        return base * (rng or random).uniform(0.5, 1.0)

    def gives_up(self, attempts: int, age: timedelta) -> bool:
        """True when a row with ``attempts`` failed attempts and this ``age`` is dead."""
        return attempts >= self.max_attempts or age >= self.max_age


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
    ("intercept_parcel", "orders"),
    ("schedule_delivery", "orders"),
    ("change_receiver_phone", "orders"),
    ("reschedule_pickup", "orders"),
    ("course", "courses"),
    ("query_course", "courses"),
    ("reschedule_course", "courses"),
    ("cancel_course", "courses"),
    ("lesson", "courses"),
    ("subscribe_course", "courses"),
    ("unsubscribe_course", "courses"),
    ("ask_product", "presales"),
    ("ask_shipping", "presales"),
    ("presales", "presales"),
)


def skill_group_for(topic: str | None) -> str:
    """The skill group for a conversation topic, e.g. the last business intent.

    ``query_order`` / ``request_refund`` / ``request_invoice`` -> ``orders``;
    ``query_course`` / ``reschedule_course`` -> ``courses``; ``ask_product`` /
    ``ask_shipping`` (售前) -> ``presales``; anything else -> ``general``.
    """
    name = (topic or "").strip().lower()
    for prefix, group in _TOPIC_PREFIXES:
        if name.startswith(prefix):
            return group
    return "general"
