"""The analytics reports: periods from ISO 8601 text, rows from the database, JSON shapes.

The desk's analytics API and ``python -m zhike.analytics summary`` both answer through
:class:`Reports`: it loads the conversations that started in ``[since, until)`` and
their handoffs, and shapes :mod:`zhike.analytics.metrics` into the documented JSON
(docs/analytics.md). Labels (Chinese display names) are the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from zhike.analytics import metrics
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.models import USER, HandoffRow, MessageRow, SessionRow
from zhike.analytics.settings import AnalyticsSettings
from zhike.common.times import utcnow

DEFAULT_DAYS = 7
MAX_BUCKETS = 2000
MAX_LIMIT = 100
SUMMARY_FIELDS = (
    "conversations",
    "messages",
    "bot_resolved",
    "handed_off",
    "abandoned",
    "queue_abandoned",
    "containment_rate",
    "handoff_rate",
    "abandonment_rate",
    "queue_abandonment_rate",
    "fallback_rate",
    "knowledge_coverage",
    "csat_score",
    "csat_responses",
    "csat_response_rate",
    "avg_first_response_s",
    "avg_agent_reply_s",
    "mtta_s",
    "avg_resolution_s",
)
EXTRA_FIELDS = (
    "in_progress",
    "queued_handoffs",
    "avg_first_response_bh_s",
    "avg_agent_reply_bh_s",
    "mtta_bh_s",
    "avg_resolution_bh_s",
    "handoff_reasons",
)
TREND_FIELDS = (
    "conversations",
    "bot_resolved",
    "handed_off",
    "containment_rate",
    "handoff_rate",
    "fallback_rate",
    "csat_score",
    "avg_first_response_s",
)
BREAKDOWN_FIELDS = (
    "conversations",
    "containment_rate",
    "handoff_rate",
    "fallback_rate",
    "csat_score",
    "avg_first_response_s",
)
BREAKDOWNS = ("channel", "intent", "skill_group", "agent", "hour")
TOPS = ("intents", "unanswered")


class BadPeriod(ValueError):
    """A date, bucket, dimension or limit the caller sent is not valid (HTTP 400)."""


def parse_instant(text: str, zone: ZoneInfo, end: bool = False) -> datetime:
    """An ISO 8601 date or date-time; ``zone`` when it names no offset.

    A bare date is the start of that local day, or with ``end`` the start of the next one
    (``until=2026-12-03`` includes the 3rd).

    Raises:
        BadPeriod: not ISO 8601.
    """
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = datetime.fromisoformat(raw).date()
            start = datetime.combine(day, time(0), tzinfo=zone)
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) if end else start
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T"))
    except (ValueError, OverflowError) as error:
        raise BadPeriod(f"not an ISO 8601 date or time: {text[:40]!r}") from error
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def period(
    since: str | None, until: str | None, zone: ZoneInfo, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """``[since, until)``: defaults 7 days ago and now.

    Raises:
        BadPeriod: a malformed value, or ``since`` not before ``until``.
    """
    current = now or utcnow()
    end = parse_instant(until, zone, end=True) if until else current
    try:
        start = parse_instant(since, zone) if since else end - timedelta(days=DEFAULT_DAYS)
        if start.year < 2000 or end.year > 9000:
            raise BadPeriod("dates must lie between the years 2000 and 9000")
    except OverflowError as error:
        raise BadPeriod("until is too early") from error
    if start >= end:
        raise BadPeriod("since must be before until")
    return start, end


def iso(value: datetime, zone: ZoneInfo) -> str:
    """A time as ISO 8601 in ``zone`` (seconds)."""
    return value.astimezone(zone).isoformat(timespec="seconds")


def pick(summary: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a summary, rates and times rounded for JSON."""
    return {name: _round(summary.get(name)) for name in fields}


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


@dataclass
class Loaded:
    """The rows of one period."""

    sessions: list[SessionRow]
    handoffs: list[HandoffRow]


class Reports:
    """The reports over one analytics database.

    Args:
        db: The analytics database.
        settings: Time zone, business hours and the idle time of abandonment.
    """

    def __init__(self, db: AnalyticsDatabase, settings: AnalyticsSettings) -> None:
        self.db = db
        self.settings = settings

    def judging(self, now: datetime | None = None) -> metrics.Judging:
        """The metrics' parameters for ``now``."""
        return metrics.Judging(
            now=now or utcnow(),
            idle=timedelta(minutes=self.settings.idle_minutes),
            zone=self.settings.zone,
            open_at=self.settings.open_at,
            close_at=self.settings.close_at,
        )

    async def load(self, since: datetime, until: datetime) -> Loaded:
        """The sessions that started in ``[since, until)`` and their handoffs."""
        async with self.db.session() as db:
            sessions = list(
                (
                    await db.execute(
                        select(SessionRow)
                        .where(SessionRow.started_at >= since, SessionRow.started_at < until)
                        .order_by(SessionRow.started_at)
                    )
                ).scalars()
            )
            keys = [s.session_key for s in sessions]
            handoffs: list[HandoffRow] = []
            for start in range(0, len(keys), 500):
                found = await db.execute(
                    select(HandoffRow).where(HandoffRow.session_key.in_(keys[start : start + 500]))
                )
                handoffs.extend(found.scalars())
        return Loaded(sessions, handoffs)

    async def summary(self, since: datetime, until: datetime) -> dict[str, Any]:
        """The summary document, with ``by_channel``."""
        loaded = await self.load(since, until)
        judging = self.judging()
        fields = SUMMARY_FIELDS + EXTRA_FIELDS
        document: dict[str, Any] = {
            "since": iso(since, judging.zone),
            "until": iso(until, judging.zone),
            **pick(metrics.summarize(loaded.sessions, loaded.handoffs, judging), fields),
        }
        document["by_channel"] = {
            key: pick(summary, fields)
            for key, summary in metrics.breakdown(
                loaded.sessions, loaded.handoffs, "channel", judging
            )
        }
        return document

    async def trend(self, since: datetime, until: datetime, bucket: str) -> dict[str, Any]:
        """The trend document: one point per bucket.

        Raises:
            BadPeriod: an unknown bucket or too many buckets.
        """
        if bucket not in ("hour", "day"):
            raise BadPeriod("bucket must be hour or day")
        size = timedelta(hours=1 if bucket == "hour" else 24)
        if (until - since) / size > MAX_BUCKETS:
            raise BadPeriod(f"at most {MAX_BUCKETS} buckets: shorten the period")
        loaded = await self.load(since, until)
        judging = self.judging()
        points = metrics.trend(loaded.sessions, loaded.handoffs, since, until, bucket, judging)
        return {
            "bucket": bucket,
            "points": [
                {"start": iso(start, judging.zone), **pick(summary, TREND_FIELDS)}
                for start, summary in points
            ],
        }

    async def breakdown(self, since: datetime, until: datetime, by: str) -> dict[str, Any]:
        """The breakdown document (labels empty: the caller names the keys).

        Raises:
            BadPeriod: an unknown dimension.
        """
        if by not in BREAKDOWNS and by != "day":
            raise BadPeriod(f"by must be one of {', '.join(BREAKDOWNS)}")
        loaded = await self.load(since, until)
        rows = metrics.breakdown(loaded.sessions, loaded.handoffs, by, self.judging())
        return {
            "by": by,
            "rows": [{"key": key, "label": key, **pick(s, BREAKDOWN_FIELDS)} for key, s in rows],
        }

    async def top(self, since: datetime, until: datetime, kind: str, limit: int) -> dict[str, Any]:
        """The most frequent intents, or unanswered customer questions (masked texts).

        Questions are grouped by :func:`~zhike.analytics.metrics.question_key`.

        Raises:
            BadPeriod: an unknown kind or a limit outside 1..100.
        """
        if kind not in TOPS:
            raise BadPeriod(f"kind must be one of {', '.join(TOPS)}")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadPeriod(f"limit must be 1..{MAX_LIMIT}")
        column = MessageRow.intent if kind == "intents" else MessageRow.text
        query = (
            select(column, func.count())
            .where(MessageRow.role == USER, MessageRow.at >= since, MessageRow.at < until)
            .group_by(column)
        )
        if kind == "intents":
            query = query.where(MessageRow.intent.isnot(None), MessageRow.intent != "nlu_fallback")
        else:
            query = query.where(MessageRow.unanswered.is_(True), MessageRow.text != "")
        async with self.db.session() as db:
            counts = [(str(key), int(n)) for key, n in (await db.execute(query)).all()]
        if kind == "intents":
            rows = [(key, key, n) for key, n in metrics.top(counts, limit)]
        else:
            rows = metrics.top_texts(counts, limit)
        return {
            "kind": kind,
            "rows": [{"key": key, "label": label, "count": n} for key, label, n in rows],
        }

    async def agent_names(self) -> dict[str, str]:
        """The display name of every agent seen in a handoff."""
        async with self.db.session() as db:
            rows = await db.execute(
                select(HandoffRow.agent_id, HandoffRow.agent_name).where(
                    HandoffRow.agent_id.isnot(None), HandoffRow.agent_name.isnot(None)
                )
            )
            return {str(agent): str(name) for agent, name in rows.all()}

    async def conversations(self, since: datetime, until: datetime) -> list[SessionRow]:
        """The conversations (sessions with a customer message) of the period."""
        loaded = await self.load(since, until)
        return [s for s in loaded.sessions if metrics.is_conversation(s)]
