"""The default rules over hand-built customers: who gets which tag, and why."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from zhike.lib.tags import CustomerFacts, Record, load_rules
from zhike.lib.tags.evaluate import evaluate

NOW = datetime(2024, 6, 4, 2, 0, tzinfo=timezone.utc)
RULES = load_rules()
ALL = ("profile", "refunds", "tickets", "enrolments", "conversations")


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def conversation(
    days: float, channel: str = "app", intent: str = "query_order", **more: Any
) -> Record:
    return Record(ago(days), {"channel": channel, "intent": intent, "rating": None, **more})


def facts(missing: tuple[str, ...] = (), **records: list[Record]) -> CustomerFacts:
    full = {source: records.get(source, []) for source in ALL}
    return CustomerFacts("C001", full, frozenset(missing))


def tags(found: CustomerFacts) -> dict[str, tuple[str, str]]:
    results, _ = evaluate(RULES, found, NOW, {"intent": {"complain": "投诉建议"}})
    return {f"{r.tag}:{r.value}" if r.value else r.tag: (r.label, r.reason) for r in results}


def test_refunds_count_only_inside_the_90_day_window() -> None:
    refunds = [Record(ago(d), {"status": "completed", "amount_fen": 100}) for d in (3, 40, 89)]
    assert tags(facts(refunds=refunds))["refund_frequent"] == ("高频退款", "近90天退款3次")
    old = [Record(ago(5), {"status": "completed"}), Record(ago(120), {"status": "completed"})]
    assert "refund_frequent" not in tags(facts(refunds=old))


def test_a_complaint_ticket_or_the_complain_intent_tags_a_complainer() -> None:
    ticket = Record(ago(200), {"category": "complaint", "status": "closed"})
    assert tags(facts(tickets=[ticket]))["complained"] == ("有过投诉", "有投诉工单1个")
    said = [conversation(1, intent="complain"), conversation(2)]
    assert tags(facts(conversations=said))["complained"] == ("有过投诉", "转人工时意图为投诉1次")
    other = Record(ago(1), {"category": "logistics", "status": "open"})
    assert "complained" not in tags(facts(tickets=[other], conversations=[conversation(1)]))


def test_vip_parents_and_bad_ratings() -> None:
    found = tags(
        facts(
            profile=[Record(None, {"vip": True})],
            enrolments=[
                Record(ago(30), {"status": "active", "course_name": "数学"}),
                Record(ago(60), {"status": "cancelled", "course_name": "英语"}),
            ],
            conversations=[conversation(1, rating=2), conversation(3, rating=5)],
        )
    )
    assert found["vip"] == ("VIP", "会员等级为 VIP")
    assert found["course_parent"] == ("课程家长", "孩子在读课程1门")
    assert found["bad_rating"] == ("差评记录", "给过1次 1-2 星评价")
    plain = tags(facts(profile=[Record(None, {"vip": False})], conversations=[conversation(1)]))
    assert not {"vip", "course_parent", "bad_rating"} & set(plain)


def test_the_preferred_channel_and_the_recent_intents_carry_their_value() -> None:
    talks = [
        conversation(1, "wechat", "complain"),
        conversation(2, "wechat", "query_order"),
        conversation(3, "app", "query_order"),
        conversation(45, "wechat", "cancel_course"),
    ]
    found = tags(facts(conversations=talks))
    assert found["preferred_channel:wechat"] == ("偏好渠道：公众号", "通过公众号咨询3次，最多")
    assert found["recent_intent:query_order"] == (
        "近期意图：query_order",
        "近30天「query_order」2次",
    )
    assert found["recent_intent:complain"] == ("近期意图：投诉建议", "近30天「投诉建议」1次")
    assert "recent_intent:cancel_course" not in found  # older than 30 days
    # One conversation is no preference yet, and makes a new customer.
    first = tags(facts(conversations=[conversation(0, "app")]))
    assert not any(key.startswith("preferred_channel") for key in first)
    assert first["new_customer"] == ("新客户", "第一次转人工咨询")
    assert "new_customer" not in found


def test_a_missing_source_leaves_its_rules_unevaluated() -> None:
    refunds = [Record(ago(1), {"status": "completed"})] * 2
    results, evaluated = evaluate(RULES, facts(("conversations",), refunds=refunds), NOW)
    assert [r.tag for r in results] == ["refund_frequent"]
    assert "refund_frequent" in evaluated
    assert not {"complained", "preferred_channel", "new_customer"} & evaluated
