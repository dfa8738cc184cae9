"""The inspection rules on hand-built transcripts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from zhike.lib.qa.matcher import Matcher
from zhike.lib.qa.rules import Inspection, Line, RuleSettings, Transcript, inspect_transcript
from zhike.lib.qa.sentiment import is_negative, score

T0 = datetime(2024, 6, 4, 2, 0, tzinfo=timezone.utc)
WORDS = Matcher([("傻逼", "辱骂"), ("加我微信", "引流"), ("sb", "辱骂")])
MASKED = frozenset({"辱骂"})


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def transcript(
    lines: Sequence[tuple[float, str, str]], rating: int | None = None, transfers: int = 0
) -> Transcript:
    closed = max((s for s, _, _ in lines), default=0) + 10
    return Transcript(
        7,
        [Line(i + 1, who, text, at(s)) for i, (s, who, text) in enumerate(lines)],
        agent_assigned_at=at(0),
        closed_at=at(closed),
        rating=rating,
        transfers=transfers,
    )


def run(t: Transcript, settings: RuleSettings | None = None) -> Inspection:
    return inspect_transcript(t, settings or RuleSettings(), WORDS, MASKED, score)


GOOD = [
    (-5, "user", "我的快递怎么还没到"),
    (10, "agent", "您好，很高兴为您服务，我帮您查一下"),
    (30, "user", "好的"),
    (50, "agent", "已经在派送了，今天下午送到，还有其他问题吗？"),
    (60, "user", "没有了，谢谢"),
    (70, "agent", "感谢您的耐心，祝您生活愉快"),
]


def test_a_good_conversation_hits_nothing_and_scores_100() -> None:
    result = run(transcript(GOOD, rating=5))
    assert result.hits == [] and result.score == 100
    assert [item["who"] for item in result.excerpt] == ["user", "agent"] * 3


def test_a_late_first_reply_and_a_long_gap_are_sla_breaches() -> None:
    lines = [
        (-5, "user", "在吗"),
        (95, "agent", "您好，请问有什么可以帮您"),
        (100, "user", "我要退货"),
        (400, "agent", "好的，已为您登记，感谢您的耐心"),
    ]
    result = run(transcript(lines))
    assert result.rules == ["sla_first_reply", "sla_reply_gap"]
    first, gap = result.hits
    assert first.detail == "接入后 95 秒才首次回复" and first.seqs == [2]
    assert gap.seqs == [4] and "300 秒" in gap.detail
    assert result.score == 100 - 15 - 10
    assert (
        run(transcript(lines), RuleSettings(first_reply_seconds=120, reply_gap_seconds=600)).hits
        == []
    )


def test_a_customer_left_waiting_until_the_close_is_a_gap() -> None:
    lines = [(5, "agent", "您好"), (10, "user", "人呢？"), (500, "system", "超时")]
    assert "sla_reply_gap" in run(transcript(lines)).rules


def test_missing_greeting_and_closing() -> None:
    lines = [(5, "agent", "查到了，明天到"), (10, "user", "哦"), (20, "agent", "嗯")]
    result = run(transcript(lines))
    assert result.rules == ["no_greeting", "no_closing"]
    assert result.hits[0].seqs == [1] and result.hits[1].seqs == [3]


def test_repeated_transfers_and_a_low_rating() -> None:
    assert "repeated_transfer" not in run(transcript(GOOD, transfers=1)).rules
    result = run(transcript(GOOD, rating=2, transfers=2))
    assert result.rules == ["repeated_transfer", "low_rating"]
    assert result.hits[-1].detail == "客户评分 2 分"
    assert run(transcript(GOOD, rating=3)).rules == []


def test_three_negative_customer_messages_in_a_row_are_a_streak() -> None:
    lines = [
        (5, "agent", "您好"),
        (10, "user", "怎么还没到，太慢了"),
        (20, "agent", "马上帮您催"),
        (30, "user", "等了好久了，气死我了"),
        (40, "user", "你们这服务太差了"),
        (50, "agent", "非常抱歉，感谢您的耐心"),
    ]
    result = run(transcript(lines))
    streak = next(hit for hit in result.hits if hit.rule == "negative_streak")
    assert streak.seqs == [2, 4, 5]
    calm = [
        (5, "agent", "您好"),
        (10, "user", "太慢了"),
        (20, "user", "好的谢谢"),
        (30, "user", "太差了"),
    ]
    assert "negative_streak" not in run(transcript(calm)).rules


def test_sentiment_worsening_during_the_service() -> None:
    lines = [
        (5, "agent", "您好"),
        (10, "user", "好的，谢谢"),
        (20, "user", "嗯嗯，明白了"),
        (30, "user", "怎么还没到"),
        (40, "user", "气死我了，我要投诉"),
        (50, "agent", "非常抱歉，感谢您的反馈"),
    ]
    assert "sentiment_worse" in run(transcript(lines)).rules


def test_sentiment_worsening_after_the_handoff_compares_with_the_bot_part() -> None:
    lines = [
        (5, "agent", "您好"),
        (10, "user", "等了好久还没到"),
        (40, "user", "气死我了，我要投诉"),
        (50, "agent", "非常抱歉，感谢您的反馈"),
    ]
    calm_before = replace(transcript(lines), before_handoff=["你好", "查一下订单，谢谢"])
    worse = next(hit for hit in run(calm_before).hits if hit.rule == "sentiment_worse")
    assert worse.detail == "客户情绪在转人工后变差" and worse.seqs == [2, 3]
    angry_before = replace(transcript(lines), before_handoff=["太慢了，气死了", "垃圾，我要投诉"])
    assert "sentiment_worse" not in run(angry_before).rules  # no worse than with the bot


def test_sensitive_words_of_agents_and_abuse_of_customers_are_marked_in_the_excerpt() -> None:
    lines = [
        (5, "agent", "您好，有问题加我微信吧"),
        (10, "user", "你个傻逼，电话13800138000"),
        (20, "agent", "请您文明用语，感谢您的理解"),
    ]
    result = run(transcript(lines))
    assert result.rules == ["sensitive_word", "customer_abuse"]
    assert result.hits[0].detail == "加我微信（引流）"
    agent, user, _ = result.excerpt
    assert agent["marks"] == [{"start": 6, "end": 10, "rule": "sensitive_word", "category": "引流"}]
    assert agent["text"][6:10] == "加我微信"
    assert user["text"] == "你个**，电话138****8000"  # abuse and the phone are masked
    assert user["marks"][0]["start"] == 2 and user["rules"] == ["customer_abuse"]
    assert result.score == 100 - 30 - 5


def test_disabled_rules_are_not_reported() -> None:
    lines = [(5, "agent", "查到了"), (10, "user", "哦")]
    settings = RuleSettings.from_dict({"disabled": ["no_greeting", "no_closing"]})
    assert run(transcript(lines), settings).hits == []


def test_settings_are_validated() -> None:
    import pytest

    for bad in ({"first_reply_seconds": 0}, {"low_rating": "2"}, {"nope": 1}, {"disabled": ["x"]}):
        with pytest.raises(ValueError):
            RuleSettings.from_dict(bad)
    assert RuleSettings.from_dict({"transfer_limit": 3}).to_dict()["transfer_limit"] == 3


def test_the_lexicon_reads_customer_service_turns() -> None:
    assert is_negative("你们这服务太差了")
    assert is_negative("等了好久了还没人回")
    assert not is_negative("请问可以退款吗")
    assert not is_negative("我不生气，就问问")
    assert score("非常感谢，解决了") > 0


def whole(lines: Sequence[tuple[float, str, str, bool]], rating: int | None = None) -> Transcript:
    """A bot-only transcript (no agent): (seconds, who, text, the bot fell back)."""
    found = [Line(i + 1, who, text, at(s), fb) for i, (s, who, text, fb) in enumerate(lines)]
    return Transcript(-3, found, agent_assigned_at=None, closed_at=at(600), rating=rating)


def test_a_bot_only_conversation_gets_only_the_rules_that_fit_it() -> None:
    lines = [
        (0, "user", "在吗", False),
        (1, "bot", "您好，请问有什么可以帮您", False),
        (5, "user", "查快递", False),
        (6, "bot", "已发货，明天送达", False),
    ]
    assert run(whole(lines)).hits == []  # no greeting, closing or SLA rules without an agent
    result = run(whole(lines, rating=1))
    assert result.rules == ["low_rating"] and result.score == 80


def test_repeated_fallbacks_are_counted_and_configurable() -> None:
    lines = [(n * 10, "user", f"问题{n}", n % 2 == 0) for n in range(6)]
    lines += [(n * 10 + 1, "bot", "抱歉，我没听懂", False) for n in range(6)]
    result = run(whole(sorted(lines)))
    assert result.rules == ["repeated_fallback"]
    assert result.hits[0].detail == "机器人 3 次未能理解客户"
    assert result.hits[0].seqs == [1, 5, 9]  # the customer messages the bot missed
    assert run(whole(sorted(lines)), RuleSettings(fallback_limit=4)).hits == []
    assert RuleSettings.from_dict({"fallback_limit": 5}).fallback_limit == 5


def test_the_bots_sensitive_words_and_customer_abuse_in_a_bot_only_conversation() -> None:
    lines = [
        (0, "user", "sb机器人", False),
        (1, "bot", "有问题可以加我微信", False),
    ]
    result = run(whole(lines))
    assert result.rules == ["bot_sensitive_word", "customer_abuse"]
    assert result.excerpt[0]["text"] == "**机器人"
    assert result.excerpt[1]["marks"][0]["rule"] == "bot_sensitive_word"


def test_a_whole_transcript_compares_sentiment_with_the_messages_before_the_handoff() -> None:
    lines = [
        (-60, "user", "你好，查一下订单，谢谢", False),
        (-59, "bot", "请提供订单号", False),
        (5, "agent", "您好", False),
        (10, "user", "等了好久还没到", False),
        (40, "user", "气死我了，我要投诉", False),
        (50, "agent", "非常抱歉，感谢您的反馈", False),
    ]
    found = [Line(i + 1, w, t, at(s), f) for i, (s, w, t, f) in enumerate(lines)]
    worse = next(
        hit for hit in run(Transcript(8, found, at(0), at(60), None)).hits
        if hit.rule == "sentiment_worse"
    )  # fmt: skip
    assert worse.detail == "客户情绪在转人工后变差" and worse.seqs == [4, 5]


def test_a_long_excerpt_shows_each_flagged_message_in_context() -> None:
    lines = [(n, "user" if n % 2 else "bot", f"消息{n}", False) for n in range(200)]
    lines[101] = (101, "user", "你个傻逼", False)
    result = run(whole(lines))
    shown = [item["seq"] for item in result.excerpt]
    assert shown == list(range(99, 106))  # 3 messages either side of the flagged one
    assert result.excerpt[3]["rules"] == ["customer_abuse"]
