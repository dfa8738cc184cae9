"""What the load test counts: HTTP statuses, empty replies, overload signals, reply times."""

from __future__ import annotations

import email.utils
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.loadtest.rasa_log import ActionFailures
from bench.metrics import percentile

OVERLOAD_STATUSES = (429, 503)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    Returns ``None`` when the header is missing or unreadable; never a negative number.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def status_category(status: int) -> str:
    """``"200"``, ``"429"``, ``"503"`` or ``"other"``."""
    return str(status) if status in (200, *OVERLOAD_STATUSES) else "other"


@dataclass
class LoadTestResult:
    """Everything one load-test run counted.

    ``planned`` messages were scripted; ``sent`` of them went out at least once (a message
    retried after 429/503 counts once); ``answered`` got a 200. Every HTTP answer, retries
    included, is in ``statuses``; requests without any answer (timeout, reset, refused) are
    in ``no_response`` by exception name. ``latencies_ms`` holds the reply time of each
    answered message: from its first attempt to the 200, waits for Retry-After included.
    """

    conversations: int = 0
    messages_per_conversation: int = 0
    planned: int = 0
    sent: int = 0
    answered: int = 0
    empty_replies: int = 0
    bad_bodies: int = 0
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    no_response: Counter[str] = field(default_factory=Counter)
    retry_after_s: list[float] = field(default_factory=list)
    overload_without_retry_after: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    time_limit_hit: bool = False
    action_failures: ActionFailures | None = None
    peak_rss_mb: float | None = None

    def record_answer(self, status: int, retry_after: str | None) -> float | None:
        """Counts one HTTP answer; returns its Retry-After in seconds for 429/503."""
        self.statuses[status] += 1
        if status not in OVERLOAD_STATUSES:
            return None
        wait = retry_after_seconds(retry_after)
        if wait is None:
            self.overload_without_retry_after += 1
        else:
            self.retry_after_s.append(wait)
        return wait

    def record_body(self, body: object) -> bool:
        """Counts the body of a 200; True when it is a non-empty list of replies."""
        if not isinstance(body, list):
            self.bad_bodies += 1
            return False
        if not body:
            self.empty_replies += 1
            return False
        return True

    def by_category(self) -> Counter[str]:
        """HTTP answers grouped as 200 / 429 / 503 / other."""
        grouped: Counter[str] = Counter()
        for status, count in self.statuses.items():
            grouped[status_category(status)] += count
        return grouped

    @property
    def overload_answers(self) -> int:
        """How many answers were 429 or 503."""
        return sum(self.statuses[status] for status in OVERLOAD_STATUSES)

    @property
    def with_retry_after(self) -> int:
        """How many 429/503 answers carried a readable Retry-After."""
        return len(self.retry_after_s)

    @property
    def unanswered(self) -> int:
        """Scripted messages that never got a 200 (shed, failed, abandoned or cut off)."""
        return self.planned - self.answered

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float | None:
        return percentile(self.latencies_ms, 95)

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies_ms, 99)

    def overload_summary(self) -> str:
        """How overload was signalled, in one line."""
        grouped = self.by_category()
        parts = []
        if self.overload_answers:
            waits = sorted(self.retry_after_s)
            range_text = f", {waits[0]:g}-{waits[-1]:g} s" if waits else ""
            parts.append(
                f"429 x{grouped['429']}, 503 x{grouped['503']}; Retry-After on "
                f"{self.with_retry_after}/{self.overload_answers}{range_text}; "
                f"{self.retries} retries"
            )
        else:
            parts.append("no 429/503 (overload was not signalled)")
        if self.no_response:
            lost = ", ".join(f"{name} {n}" for name, n in self.no_response.most_common(3))
            parts.append(f"no response: {lost}")
        if grouped["other"]:
            others = sorted(s for s in self.statuses if status_category(s) == "other")
            parts.append(f"other statuses: {', '.join(map(str, others))}")
        if self.bad_bodies:
            parts.append(f"{self.bad_bodies} 200s whose body was not a list")
        if self.time_limit_hit:
            parts.append("stopped by the time limit")
        return "; ".join(parts)
