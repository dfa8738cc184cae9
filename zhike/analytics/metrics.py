"""The KPIs, as pure functions over session and handoff rows (formulas: docs/analytics.md).

Inputs are :class:`~zhike.analytics.models.SessionRow` and
:class:`~zhike.analytics.models.HandoffRow` objects (or anything with the same
attributes); nothing here touches a database. A conversation is a session with at least
one customer message; it counts in the period (and bucket, hour, day) it started in.
Rates are 0..1 and ``None`` when their denominator is 0; times are seconds, ``None``
when nothing was measured.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zhike.analytics.business_hours import business_seconds
from zhike.lib.handoff.models import USER_LEFT

HANDED_OFF = "handed_off"
BOT_RESOLVED = "bot_resolved"
ABANDONED = "abandoned"
IN_PROGRESS = "in_progress"
SATISFIED = 4  # ratings 4 and 5 count as satisfied (CSAT)
DIMENSIONS = ("channel", "intent", "skill_group", "agent", "hour", "day")
UNKNOWN = "unknown"
BOT_GROUP = "bot"  # the skill group of conversations no human served
# Handoff requests closed at once as a ticket case (after hours, nobody online): no queue.
TICKET_DISPOSITIONS = frozenset({"after_hours", "no_agent"})


@dataclass(frozen=True)
class Judging:
    """What the metrics depend on beyond the rows.

    Attributes:
        now: The moment of the computation (a conversation idle since ``now - idle`` ended).
        idle: How long a conversation may rest before it has ended.
        zone: The time zone of hours, days and business hours.
        open_at: Business day start.
        close_at: Business day end.
    """

    now: datetime
    idle: timedelta
    zone: ZoneInfo
    open_at: time = time(9, 0)
    close_at: time = time(21, 0)


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, ``None`` when ``whole`` is 0."""
    return part / whole if whole else None


def mean(values: Iterable[float]) -> float | None:
    """The mean, ``None`` for no values."""
    found = list(values)
    return sum(found) / len(found) if found else None


def is_conversation(session: Any) -> bool:
    """A session counts as a conversation once the customer wrote in it."""
    return bool(session.user_messages)


def outcome(session: Any, judging: Judging) -> str:
    """``handed_off``, ``bot_resolved``, ``abandoned`` or ``in_progress``.

    Handed off: a handoff was requested. Otherwise the conversation is unfinished when a
    form was still open at its end or its last customer message went unanswered (a
    fallback, no knowledge-base answer, 「都不是」); unfinished and ended (a newer session
    of the sender, or idle for ``judging.idle``) is abandoned, unfinished and still open
    is in progress, and finished is resolved by the bot.
    """
    if session.handed_off:
        return HANDED_OFF
    if not (session.open_loop or session.last_unanswered):
        return BOT_RESOLVED
    return ABANDONED if ended(session, judging) else IN_PROGRESS


def ended(session: Any, judging: Judging) -> bool:
    """The conversation is over: the sender started a newer session, or it is idle."""
    return bool(session.superseded or session.last_at <= judging.now - judging.idle)


def entered_queue(episode: Any) -> bool:
    """A handoff request that went to the live queue (not a ticket case)."""
    return episode.requested_at is not None and episode.disposition not in TICKET_DISPOSITIONS


def left_queue(episode: Any, session: Any, judging: Judging) -> bool:
    """The customer left the queue before any agent accepted (queue abandonment).

    A queued episode no agent ever accepted that was closed as ``user_left`` (the
    customer cancelled or left), or that is still waiting while its conversation has
    ended (a newer session of the sender, or silent for ``judging.idle``). An agent
    accepting it later takes it back out.
    """
    if not entered_queue(episode) or episode.assigned_at is not None:
        return False
    if episode.closed_at is not None:
        return bool(episode.disposition == USER_LEFT)
    return session is not None and ended(session, judging)


def queue_metrics(
    conversations: Sequence[Any], episodes: Sequence[Any], judging: Judging
) -> dict[str, Any]:
    """Handoffs that entered the live queue, those the customer left, and their ratio."""
    sessions = {s.session_key: s for s in conversations}
    queued = [e for e in episodes if entered_queue(e)]
    left = sum(1 for e in queued if left_queue(e, sessions.get(e.session_key), judging))
    return {
        "queued_handoffs": len(queued),
        "queue_abandoned": left,
        "queue_abandonment_rate": ratio(left, len(queued)),
    }


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _business(start: datetime | None, end: datetime | None, judging: Judging) -> float | None:
    if start is None or end is None:
        return None
    return business_seconds(start, end, judging.zone, judging.open_at, judging.close_at)


def _durations(
    episodes: Sequence[Any], first: str, second: str, judging: Judging, business: bool
) -> float | None:
    measure: Callable[..., float | None] = (
        (lambda a, b: _business(a, b, judging)) if business else _seconds
    )
    found = [measure(getattr(e, first), getattr(e, second)) for e in episodes]
    return mean(v for v in found if v is not None)


def time_metrics(handoffs: Sequence[Any], judging: Judging) -> dict[str, float | None]:
    """First response, agent reply, MTTA and resolution times (also in business hours).

    Over the episodes with a handoff request: first response = first agent reply −
    request; MTTA = agent assigned − request; resolution (MTTR) = closed − request for
    episodes an agent accepted; agent reply = summed waits / replies after the first.
    """
    episodes = [h for h in handoffs if h.requested_at is not None]
    served = [h for h in episodes if h.assigned_at is not None]
    replies = sum(h.reply_count for h in episodes)
    result: dict[str, float | None] = {}
    for suffix, business in (("_s", False), ("_bh_s", True)):
        result["avg_first_response" + suffix] = _durations(
            episodes, "requested_at", "first_reply_at", judging, business
        )
        result["mtta" + suffix] = _durations(
            episodes, "requested_at", "assigned_at", judging, business
        )
        result["avg_resolution" + suffix] = _durations(
            served, "requested_at", "closed_at", judging, business
        )
        total = sum(h.reply_business_seconds if business else h.reply_seconds for h in episodes)
        result["avg_agent_reply" + suffix] = ratio(total, replies)
    return result


def summarize(sessions: Sequence[Any], handoffs: Sequence[Any], judging: Judging) -> dict[str, Any]:
    """Every summary metric of the conversations among ``sessions``.

    ``handoffs`` may hold episodes of other sessions too: only those linked to a
    conversation of ``sessions`` (``session_key``) count.
    """
    conversations = [s for s in sessions if is_conversation(s)]
    keys = {s.session_key for s in conversations}
    episodes = [h for h in handoffs if h.session_key in keys]
    outcomes = Counter(outcome(s, judging) for s in conversations)
    count = len(conversations)
    user_messages = sum(s.user_messages for s in conversations)
    rated = [s.csat_rating for s in conversations if s.csat_rating is not None]
    surveyed = sum(1 for s in conversations if s.survey_asked or s.csat_rating is not None)
    reasons = Counter(s.handoff_reason or UNKNOWN for s in conversations if s.handed_off)
    return {
        "conversations": count,
        "messages": sum(s.user_messages + s.bot_messages + s.agent_messages for s in conversations),
        "bot_resolved": outcomes[BOT_RESOLVED],
        "handed_off": outcomes[HANDED_OFF],
        "abandoned": outcomes[ABANDONED],
        "in_progress": outcomes[IN_PROGRESS],
        "containment_rate": ratio(outcomes[BOT_RESOLVED], count),
        "handoff_rate": ratio(outcomes[HANDED_OFF], count),
        "abandonment_rate": ratio(outcomes[ABANDONED], count),
        "fallback_rate": ratio(sum(s.fallbacks for s in conversations), user_messages),
        "knowledge_coverage": ratio(
            sum(s.kb_answers for s in conversations), sum(s.kb_questions for s in conversations)
        ),
        "csat_score": ratio(sum(1 for r in rated if r >= SATISFIED), len(rated)),
        "csat_responses": len(rated),
        "csat_response_rate": ratio(len(rated), surveyed),
        "handoff_reasons": dict(reasons.most_common()),
        **queue_metrics(conversations, episodes, judging),
        **time_metrics(episodes, judging),
    }


def group_key(session: Any, by: str, judging: Judging) -> str | None:
    """The group of a conversation in a breakdown ``by`` (``None``: not in any group)."""
    if by == "channel":
        return str(session.channel or UNKNOWN)
    if by == "intent":
        return str(session.first_intent or UNKNOWN)
    if by == "skill_group":
        return str(session.skill_group) if session.handed_off and session.skill_group else BOT_GROUP
    if by == "agent":
        return str(session.agent_id) if session.agent_id else None
    local = session.started_at.astimezone(judging.zone)
    if by == "hour":
        return f"{local.hour:02d}"
    if by == "day":
        return local.date().isoformat()
    raise ValueError(f"unknown breakdown {by!r}; one of {', '.join(DIMENSIONS)}")


def breakdown(
    sessions: Sequence[Any], handoffs: Sequence[Any], by: str, judging: Judging
) -> list[tuple[str, dict[str, Any]]]:
    """The summary of each group ``by`` (most conversations first, then by key)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for session in sessions:
        if not is_conversation(session):
            continue
        key = group_key(session, by, judging)
        if key is not None:
            groups[key].append(session)
    rows = [(key, summarize(members, handoffs, judging)) for key, members in groups.items()]
    if by in ("hour", "day"):
        return sorted(rows, key=lambda row: row[0])
    return sorted(rows, key=lambda row: (-row[1]["conversations"], row[0]))


def bucket_starts(since: datetime, until: datetime, bucket: str, zone: ZoneInfo) -> list[datetime]:
    """Every ``hour`` or ``day`` bucket (local start) that overlaps ``[since, until)``."""
    if bucket not in ("hour", "day"):
        raise ValueError("bucket must be hour or day")
    local = since.astimezone(zone)
    start = local.replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        start = start.replace(hour=0)
    starts = []
    while start < until:
        starts.append(start)
        if bucket == "day":
            start = datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=zone)
        else:
            start = (start.astimezone(ZoneInfo("UTC")) + timedelta(hours=1)).astimezone(zone)
    return starts


def trend(
    sessions: Sequence[Any],
    handoffs: Sequence[Any],
    since: datetime,
    until: datetime,
    bucket: str,
    judging: Judging,
) -> list[tuple[datetime, dict[str, Any]]]:
    """The summary of each bucket of ``[since, until)``, empty buckets included."""
    starts = bucket_starts(since, until, bucket, judging.zone)
    members: dict[int, list[Any]] = defaultdict(list)
    for session in sessions:
        if not since <= session.started_at < until:
            continue
        position = _bucket_of(session.started_at, starts)
        if position is not None:
            members[position].append(session)
    return [
        (start, summarize(members.get(i, []), handoffs, judging)) for i, start in enumerate(starts)
    ]


def _bucket_of(at: datetime, starts: list[datetime]) -> int | None:
    low, high = 0, len(starts) - 1
    if not starts or at < starts[0]:
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= at:
            low = middle
        else:
            high = middle - 1
    return low


def top(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """The ``limit`` largest counts (ties by key), merging repeated keys."""
    merged: Counter[str] = Counter()
    for key, count in counts:
        merged[key] += count
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:limit]


_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = "。，、；：？！…～~.,;:?!'\"“”‘’（）()【】[]《》<> "


def question_key(text: str) -> str:
    """A customer question as grouped: width-folded, lower case, no spaces or end punctuation.

    ``怎么 退款？`` and ``怎么退款`` are one question (NFKC folds full-width letters).
    """
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text).lower())
    return folded.strip(_EDGE_PUNCTUATION) or folded


def top_texts(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, str, int]]:
    """The ``limit`` most frequent questions as ``(key, label, count)``.

    ``label`` is the question's most frequent wording.
    """
    totals: Counter[str] = Counter()
    wordings: dict[str, Counter[str]] = defaultdict(Counter)
    for text, count in counts:
        key = question_key(text)
        totals[key] += count
        wordings[key][text] += count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [
        (key, sorted(wordings[key].items(), key=lambda w: (-w[1], w[0]))[0][0], n)
        for key, n in ranked
    ]
