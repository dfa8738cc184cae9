"""The KPIs of hand-built rows, each expected number worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from zhike.analytics import metrics
from zhike.analytics.business_hours import business_seconds
from zhike.analytics.models import HandoffRow, SessionRow

from .conftest import SHANGHAI

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
JUDGING = metrics.Judging(now=NOW, idle=timedelta(minutes=30), zone=SHANGHAI)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


def session(key: str, started: datetime, **values: Any) -> SessionRow:
    defaults: dict[str, Any] = {
        "session_key": key,
        "sender_id": key,
        "channel": "rest",
        "started_at": started,
        "last_at": started + timedelta(minutes=1),
        "superseded": False,
        "user_messages": 1,
        "bot_messages": 1,
        "agent_messages": 0,
        "intents": [],
        "first_intent": None,
        "fallbacks": 0,
        "kb_questions": 0,
        "kb_answers": 0,
        "last_unanswered": False,
        "open_loop": None,
        "survey_asked": False,
        "handed_off": False,
        "handoff_reason": None,
        "skill_group": None,
        "agent_id": None,
        "resolution": None,
        "csat_rating": None,
    }
    defaults.update(values)
    return SessionRow(**defaults)


def handoff(episode: int, key: str, **values: Any) -> HandoffRow:
    defaults: dict[str, Any] = {
        "episode_id": episode,
        "sender_id": key,
        "session_key": key,
        "requested_at": None,
        "assigned_at": None,
        "first_reply_at": None,
        "closed_at": None,
        "rating": None,
        "reply_count": 0,
        "reply_seconds": 0.0,
        "reply_business_seconds": 0.0,
    }
    defaults.update(values)
    defaults.setdefault("reference_at", defaults["requested_at"] or NOW)
    return HandoffRow(**defaults)


SESSIONS = [
    # S1 resolved by the bot: 4 customer messages, 1 fallback, 2 KB questions, 1 answered, 5★
    session(
        "s1",
        at(1, 10),
        user_messages=4,
        bot_messages=5,
        fallbacks=1,
        kb_questions=2,
        kb_answers=1,
        first_intent="query_order",
        survey_asked=True,
        csat_rating=5,
    ),
    # S2 abandoned: its last question went unanswered and it is idle since 10:31 on the 1st
    session(
        "s2",
        at(1, 10, 30),
        user_messages=2,
        bot_messages=2,
        kb_questions=1,
        last_unanswered=True,
        first_intent="faq",
        survey_asked=True,
    ),
    # S3 handed off on the web widget, agent a1, 4★
    session(
        "s3",
        at(1, 11),
        channel="socketio",
        user_messages=3,
        bot_messages=3,
        agent_messages=2,
        first_intent="query_order",
        handed_off=True,
        handoff_reason="客户要求转人工",
        skill_group="orders",
        agent_id="a1",
        resolution="resolved",
        csat_rating=4,
        survey_asked=True,
    ),
    # S4 handed off at 20:50, after hours by the time it is answered, 2★
    session(
        "s4",
        at(1, 20, 30),
        channel="socketio",
        user_messages=1,
        bot_messages=1,
        agent_messages=1,
        first_intent="complain",
        handed_off=True,
        handoff_reason="客户投诉",
        skill_group="orders",
        agent_id="a1",
        resolution="resolved",
        csat_rating=2,
        survey_asked=True,
    ),
    # S5 a widget opened, nobody wrote: not a conversation
    session("s5", at(1, 11, 30), channel="socketio", user_messages=0, bot_messages=1),
    # S6 in a form right now (last activity a minute ago): in progress, not abandoned
    session(
        "s6",
        NOW - timedelta(minutes=5),
        last_at=NOW - timedelta(minutes=1),
        open_loop="refund_form",
        first_intent="request_refund",
    ),
]
HANDOFFS = [
    # requested 11:01; assigned +60 s; first reply +90 s; closed +600 s; 2 replies, 50 s
    handoff(
        3,
        "s3",
        requested_at=at(1, 11, 1),
        assigned_at=at(1, 11, 2),
        first_reply_at=at(1, 11, 2, 30),
        closed_at=at(1, 11, 11),
        rating=4,
        reply_count=2,
        reply_seconds=50.0,
        reply_business_seconds=50.0,
    ),
    # requested 20:50; assigned 21:10 (+1200 s, 600 s in business hours); first reply 21:20
    # (+1800 s, 600 s); closed 09:30 next day (+45600 s; 600 + 1800 = 2400 s); 1 reply 100 s
    handoff(
        4,
        "s4",
        requested_at=at(1, 20, 50),
        assigned_at=at(1, 21, 10),
        first_reply_at=at(1, 21, 20),
        closed_at=at(2, 9, 30),
        rating=2,
        reply_count=1,
        reply_seconds=100.0,
        reply_business_seconds=0.0,
    ),
    handoff(1, "s1", rating=5, reference_at=at(1, 10, 5)),  # the bot-only rating
    handoff(9, "elsewhere", requested_at=at(1, 12), assigned_at=at(1, 13)),  # not ours
]


def test_summary() -> None:
    summary = metrics.summarize(SESSIONS, HANDOFFS, JUDGING)
    assert summary["conversations"] == 5  # S5 has no customer message
    assert summary["messages"] == 9 + 4 + 8 + 3 + 2
    assert (summary["bot_resolved"], summary["handed_off"]) == (1, 2)
    assert (summary["abandoned"], summary["in_progress"]) == (1, 1)
    assert summary["containment_rate"] == pytest.approx(1 / 5)
    assert summary["handoff_rate"] == pytest.approx(2 / 5)
    assert summary["abandonment_rate"] == pytest.approx(1 / 5)
    assert summary["fallback_rate"] == pytest.approx(1 / 11)  # 1 fallback, 11 messages
    assert summary["knowledge_coverage"] == pytest.approx(1 / 3)
    assert summary["csat_responses"] == 3
    assert summary["csat_score"] == pytest.approx(2 / 3)  # 5★ and 4★ of 5★ 4★ 2★
    assert summary["csat_response_rate"] == pytest.approx(3 / 4)  # S1-S4 asked
    assert summary["avg_first_response_s"] == pytest.approx((90 + 1800) / 2)
    assert summary["avg_first_response_bh_s"] == pytest.approx((90 + 600) / 2)
    assert summary["mtta_s"] == pytest.approx((60 + 1200) / 2)
    assert summary["mtta_bh_s"] == pytest.approx((60 + 600) / 2)
    assert summary["avg_resolution_s"] == pytest.approx((600 + 45600) / 2)
    assert summary["avg_resolution_bh_s"] == pytest.approx((600 + 2400) / 2)
    assert summary["avg_agent_reply_s"] == pytest.approx(150 / 3)
    assert summary["avg_agent_reply_bh_s"] == pytest.approx(50 / 3)
    assert summary["handoff_reasons"] == {"客户要求转人工": 1, "客户投诉": 1}


def queue_traffic() -> tuple[list[SessionRow], list[HandoffRow]]:
    """Eight conversations on two channels that asked for a human at 9:00 on the 2nd."""
    asked = at(2, 9)
    sessions = [
        session(key, asked - timedelta(minutes=1), channel=channel, handed_off=True, **values)
        for key, channel, values in (
            ("cancelled", "wechat", {}),
            ("new-session", "wechat", {"superseded": True}),
            ("silent", "rest", {"last_at": NOW - timedelta(minutes=40)}),
            ("waiting", "rest", {"last_at": NOW - timedelta(minutes=5)}),
            ("after-hours", "rest", {"superseded": True}),
            ("served", "rest", {"last_at": NOW - timedelta(minutes=40)}),
            ("spam", "rest", {}),
            ("came-back", "rest", {"superseded": True}),
        )
    ]
    closed = NOW - timedelta(minutes=20)
    episodes = [
        handoff(21, "cancelled", requested_at=asked, closed_at=closed, disposition="user_left"),
        handoff(22, "new-session", requested_at=asked),  # still queued
        handoff(23, "silent", requested_at=asked),
        handoff(24, "waiting", requested_at=asked),
        handoff(25, "after-hours", requested_at=asked, closed_at=asked, disposition="after_hours"),
        handoff(26, "served", requested_at=asked, assigned_at=closed, closed_at=NOW),
        handoff(27, "spam", requested_at=asked, closed_at=closed, disposition="spam"),
        handoff(28, "came-back", requested_at=asked, assigned_at=closed),  # accepted at last
    ]
    return sessions, episodes


def test_customers_who_leave_the_queue_before_an_agent_accepts_are_queue_abandoned() -> None:
    sessions, episodes = queue_traffic()
    summary = metrics.summarize(sessions, episodes, JUDGING)
    # 7 entered the queue (not the after-hours ticket); cancelled, new-session and silent left
    assert (summary["queued_handoffs"], summary["queue_abandoned"]) == (7, 3)
    assert summary["queue_abandonment_rate"] == pytest.approx(3 / 7)
    assert summary["abandoned"] == 0  # conversation abandonment counts only the bot's
    by_channel = dict(metrics.breakdown(sessions, episodes, "channel", JUDGING))
    assert by_channel["wechat"]["queue_abandonment_rate"] == 1.0
    assert by_channel["rest"]["queue_abandoned"] == 1
    assert by_channel["rest"]["queue_abandonment_rate"] == pytest.approx(1 / 5)
    # Half an hour later the customer still waiting has gone silent too.
    later = metrics.Judging(now=NOW + timedelta(minutes=31), idle=JUDGING.idle, zone=SHANGHAI)
    assert metrics.summarize(sessions, episodes, later)["queue_abandoned"] == 4


def test_no_queued_handoff_leaves_the_queue_abandonment_rate_undefined() -> None:
    summary = metrics.summarize(SESSIONS, HANDOFFS, JUDGING)
    assert (summary["queued_handoffs"], summary["queue_abandoned"]) == (2, 0)  # S3, S4 served
    assert summary["queue_abandonment_rate"] == 0.0
    bot_only = metrics.summarize(SESSIONS[:2], HANDOFFS, JUDGING)
    assert bot_only["queue_abandoned"] == 0 and bot_only["queue_abandonment_rate"] is None


def test_undefined_rates_and_times_are_none() -> None:
    summary = metrics.summarize([SESSIONS[4]], HANDOFFS, JUDGING)
    assert summary["conversations"] == 0
    for name in ("containment_rate", "fallback_rate", "csat_score", "mtta_s", "avg_agent_reply_s"):
        assert summary[name] is None, name


def test_an_idle_unfinished_conversation_is_abandoned_only_once_it_ended() -> None:
    s6 = SESSIONS[5]
    assert metrics.outcome(s6, JUDGING) == metrics.IN_PROGRESS
    later = metrics.Judging(now=NOW + timedelta(minutes=31), idle=JUDGING.idle, zone=SHANGHAI)
    assert metrics.outcome(s6, later) == metrics.ABANDONED
    newer = session("s7", NOW, open_loop="refund_form", superseded=True)
    assert metrics.outcome(newer, JUDGING) == metrics.ABANDONED


def test_breakdowns() -> None:
    by_channel = dict(metrics.breakdown(SESSIONS, HANDOFFS, "channel", JUDGING))
    assert {k: v["conversations"] for k, v in by_channel.items()} == {"rest": 3, "socketio": 2}
    assert by_channel["socketio"]["handoff_rate"] == 1.0
    assert by_channel["socketio"]["avg_first_response_s"] == pytest.approx(945)
    assert by_channel["rest"]["containment_rate"] == pytest.approx(1 / 3)
    by_agent = metrics.breakdown(SESSIONS, HANDOFFS, "agent", JUDGING)
    assert [(k, v["conversations"], v["csat_score"]) for k, v in by_agent] == [("a1", 2, 0.5)]
    by_group = dict(metrics.breakdown(SESSIONS, HANDOFFS, "skill_group", JUDGING))
    assert {k: v["conversations"] for k, v in by_group.items()} == {"orders": 2, "bot": 3}
    by_hour = metrics.breakdown(SESSIONS, HANDOFFS, "hour", JUDGING)
    assert [(k, v["conversations"]) for k, v in by_hour] == [
        ("09", 1),  # S6, 09:55 on the 2nd
        ("10", 2),
        ("11", 1),
        ("20", 1),
    ]
    by_intent = dict(metrics.breakdown(SESSIONS, HANDOFFS, "intent", JUDGING))
    assert by_intent["query_order"]["conversations"] == 2
    by_day = metrics.breakdown(SESSIONS, HANDOFFS, "day", JUDGING)
    assert [(k, v["conversations"]) for k, v in by_day] == [("2026-12-01", 4), ("2026-12-02", 1)]


def test_trend_has_every_bucket() -> None:
    points = metrics.trend(SESSIONS, HANDOFFS, at(1, 0), at(4, 0), "day", JUDGING)
    assert [(start.isoformat(), p["conversations"]) for start, p in points] == [
        ("2026-12-01T00:00:00+08:00", 4),
        ("2026-12-02T00:00:00+08:00", 1),
        ("2026-12-03T00:00:00+08:00", 0),
    ]
    assert points[2][1]["containment_rate"] is None
    hours = metrics.trend(SESSIONS, HANDOFFS, at(1, 9, 30), at(1, 12), "hour", JUDGING)
    assert [(s.hour, p["conversations"]) for s, p in hours] == [(9, 0), (10, 2), (11, 1)]


def test_top_merges_and_orders() -> None:
    counts = [("faq", 3), ("greet", 5), ("faq", 4), ("query_order", 1)]
    assert metrics.top(counts, 2) == [("faq", 7), ("greet", 5)]


def test_unanswered_questions_are_grouped_by_their_words() -> None:
    counts = [
        ("怎么退款？", 2),
        ("其他问题", 3),
        ("怎么 退款!", 1),
        ("怎么退款", 1),
        ("ＡＢＣ吗", 1),
    ]
    assert metrics.top_texts(counts, 3) == [
        ("怎么退款", "怎么退款？", 4),  # the most frequent wording is the label
        ("其他问题", "其他问题", 3),
        ("abc吗", "ＡＢＣ吗", 1),
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(1, 10), at(1, 11), 3600),  # inside
        (at(1, 8), at(1, 10), 3600),  # from before opening
        (at(1, 20, 30), at(2, 9, 30), 1800 + 1800),  # over the night
        (at(1, 21, 30), at(2, 8), 0),  # closed all along
        (at(1, 10), at(3, 10), 12 * 3600 * 2),  # two whole days
        (at(1, 11), at(1, 10), 0),  # backwards
    ],
)
def test_business_seconds(start: datetime, end: datetime, expected: float) -> None:
    assert business_seconds(start, end, SHANGHAI, time(9), time(21)) == expected
