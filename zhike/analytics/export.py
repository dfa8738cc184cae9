"""CSV exports of the reports (UTF-8 with a byte-order mark, so Excel shows Chinese).

Personal data is masked: the customer's sender id goes through
:func:`zhike.common.privacy.mask_text` (a phone number used as an id shows as
``138****8001``), and message texts are never exported here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from zhike.analytics import metrics
from zhike.analytics.report import BREAKDOWN_FIELDS, SUMMARY_FIELDS, TREND_FIELDS, iso
from zhike.common.privacy import mask_text

BOM = "\ufeff"
CONVERSATION_HEADER = (
    "session",
    "channel",
    "customer",
    "started_at",
    "last_at",
    "user_messages",
    "bot_messages",
    "agent_messages",
    "intent",
    "intents",
    "fallbacks",
    "kb_questions",
    "kb_answers",
    "outcome",
    "handoff_reason",
    "skill_group",
    "agent",
    "resolution",
    "csat_rating",
)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a BOM; ``None`` as an empty cell.

    Cells starting with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe, so a
    spreadsheet never runs a customer's text as a formula.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([formula_safe(value) for value in row])
    return BOM + buffer.getvalue()


def formula_safe(value: Any) -> Any:
    """A CSV cell: empty for ``None``, floats rounded, formulas defused with a ``'``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def conversations_csv(
    sessions: Sequence[Any], judging: metrics.Judging, label: Callable[[str, str], str]
) -> str:
    """One line per conversation; ``label(dimension, key)`` names channels and intents."""
    zone: ZoneInfo = judging.zone
    rows = (
        (
            mask_text(s.session_key),
            label("channel", s.channel or ""),
            mask_text(s.customer_id or s.sender_id),
            iso(s.started_at, zone),
            iso(s.last_at, zone),
            s.user_messages,
            s.bot_messages,
            s.agent_messages,
            label("intent", s.first_intent or ""),
            " ".join(s.intents or []),
            s.fallbacks,
            s.kb_questions,
            s.kb_answers,
            metrics.outcome(s, judging),
            s.handoff_reason,
            s.skill_group,
            label("agent", s.agent_id) if s.agent_id else "",
            s.resolution,
            s.csat_rating,
        )
        for s in sessions
    )
    return to_csv(CONVERSATION_HEADER, rows)


def summary_csv(document: dict[str, Any]) -> str:
    """The summary: one line for all channels (``all``), then one per channel."""
    rows = [("all", *(document.get(f) for f in SUMMARY_FIELDS))]
    for channel, summary in (document.get("by_channel") or {}).items():
        rows.append((channel, *(summary.get(f) for f in SUMMARY_FIELDS)))
    return to_csv(("channel", *SUMMARY_FIELDS), rows)


def trend_csv(document: dict[str, Any]) -> str:
    """The trend: one line per bucket."""
    rows = ((p["start"], *(p.get(f) for f in TREND_FIELDS)) for p in document["points"])
    return to_csv(("start", *TREND_FIELDS), rows)


def breakdown_csv(document: dict[str, Any]) -> str:
    """The breakdown: one line per group."""
    rows = ((r["key"], r["label"], *(r.get(f) for f in BREAKDOWN_FIELDS)) for r in document["rows"])
    return to_csv((document["by"], "label", *BREAKDOWN_FIELDS), rows)
