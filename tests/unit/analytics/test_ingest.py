"""Events become session and message rows, masked, once, whatever the replay or order."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.analytics.models import MessageRow, SessionRow

from .conftest import Script


async def apply(db: AnalyticsDatabase, events: list[dict[str, Any]]) -> None:
    async def work(session: Any) -> int:
        return await apply_events(session, events)

    await db.run(work)


async def snapshot(db: AnalyticsDatabase) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every session and message row, without their autoincrement ids."""
    async with db.session() as session:
        sessions = (await session.execute(select(SessionRow))).scalars().all()
        messages = (await session.execute(select(MessageRow))).scalars().all()
    skip = {"id"}
    columns = [c.name for c in SessionRow.__table__.columns if c.name not in skip]
    message_columns = [c.name for c in MessageRow.__table__.columns if c.name not in skip]
    return (
        sorted(tuple(str(getattr(s, c)) for c in columns) for s in sessions),
        sorted(tuple(str(getattr(m, c)) for c in message_columns) for m in messages),
    )


def shop_conversation(sender: str = "u1") -> Script:
    """An order question with a phone number, a knowledge-base answer, a fallback."""
    script = Script(sender).session()
    script.user("查一下订单，手机13800138001", "query_order").loop("order_status_form")
    script.bot("请提供下单手机号的后 4 位数字进行验证。").slot("customer_id", "C001")
    script.loop(None).bot("您的订单已发货。")
    script.kb_answer("下单后多久发货？")
    script.fallback("呜啦啦")
    return script


async def test_a_conversation_is_one_session_with_its_messages_masked(
    analytics_db: AnalyticsDatabase,
) -> None:
    await apply(analytics_db, shop_conversation().events)
    async with analytics_db.session() as session:
        sessions = (await session.execute(select(SessionRow))).scalars().all()
        messages = (
            (await session.execute(select(MessageRow).order_by(MessageRow.at))).scalars().all()
        )
    assert len(sessions) == 1
    row = sessions[0]
    assert (row.channel, row.customer_id) == ("rest", "C001")
    assert (row.user_messages, row.bot_messages, row.agent_messages) == (3, 4, 0)
    assert row.intents == ["query_order", "faq", "nlu_fallback"]
    assert row.first_intent == "query_order"
    assert (row.fallbacks, row.kb_questions, row.kb_answers) == (1, 1, 1)
    assert row.open_loop is None and row.last_unanswered is True
    assert messages[0].text == "查一下订单，手机138****8001"
    assert "13800138001" not in " ".join(m.text for m in messages)
    assert [m.role for m in messages] == ["user", "bot", "bot", "user", "bot", "user", "bot"]
    assert messages[0].confidence == 0.93 and messages[0].channel == "rest"


async def test_replaying_events_changes_nothing(analytics_db: AnalyticsDatabase) -> None:
    events = shop_conversation().events + shop_conversation("u2").events
    await apply(analytics_db, events)
    before = await snapshot(analytics_db)
    await apply(analytics_db, events)  # the whole stream again
    await apply(analytics_db, events[5:12])  # a part of it again
    assert await snapshot(analytics_db) == before


async def test_batch_boundaries_and_order_within_a_batch_do_not_matter(
    analytics_db: AnalyticsDatabase, tmp_path: Any
) -> None:
    events = shop_conversation().events + shop_conversation("u2").events
    await apply(analytics_db, events)
    expected = await snapshot(analytics_db)
    for size in (1, 3, 7):
        other = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / f'other{size}.db'}")
        await other.create_tables()
        try:
            for start in range(0, len(events), size):  # the stream in batches of `size`
                batch = events[start : start + size]
                random.Random(size).shuffle(batch)  # a batch's order is its timestamps'
                await apply(other, batch)
            assert await snapshot(other) == expected, size
        finally:
            await other.dispose()


async def test_a_new_session_ends_the_previous_one(analytics_db: AnalyticsDatabase) -> None:
    script = Script("u1").session().user("你好", "greet").bot("您好")
    script.wait(hours=2).session().user("我要退款", "request_refund").loop("refund_form")
    await apply(analytics_db, script.events)
    async with analytics_db.session() as session:
        rows = (
            (await session.execute(select(SessionRow).order_by(SessionRow.started_at)))
            .scalars()
            .all()
        )
    assert [(r.superseded, r.intents, r.open_loop) for r in rows] == [
        (True, ["greet"], None),
        (False, ["request_refund"], "refund_form"),
    ]
    assert rows[0].first_intent == "greet"  # no topic: the first intent


async def test_knowledge_base_outcomes(analytics_db: AnalyticsDatabase) -> None:
    script = Script("u1").session()
    script.kb_answer("怎么开发票")
    script.kb_no_answer("你们老板是谁")
    # a suggestion, then the customer picks the second entry: one question, answered
    script.user("发货要多久啊", "faq").action("action_answer_knowledge")
    script.bot("亲，您是想问下面哪个问题呢？", "utter_kb_did_you_mean").slot("kb_question", "x")
    script.user("/faq", "faq", kb_entry="2").action("action_answer_knowledge")
    script.bot("一般48小时内发货。").slot("kb_answered", "发货要多久啊")
    # a suggestion the customer rejects: unanswered
    script.user("能开专票吗", "faq").action("action_answer_knowledge")
    script.bot("亲，您是想问下面哪个问题呢？", "utter_kb_did_you_mean")
    script.user("/faq", "faq", kb_entry="none").action("action_answer_knowledge")
    script.bot("抱歉没帮上忙", "utter_kb_not_these").bot("再见", "utter_goodbye")
    await apply(analytics_db, script.events)
    async with analytics_db.session() as session:
        row = (await session.execute(select(SessionRow))).scalars().one()
        messages = (
            (
                await session.execute(
                    select(MessageRow).where(MessageRow.role == "user").order_by(MessageRow.at)
                )
            )
            .scalars()
            .all()
        )
    assert [(m.kb_outcome, m.unanswered) for m in messages] == [
        ("answered", False),
        ("none", True),
        ("suggested", False),
        ("pick_answered", False),
        ("rejected", True),
        ("pick", False),
    ]
    assert (row.kb_questions, row.kb_answers) == (4, 2)
    assert row.survey_asked is False and row.last_unanswered is False


async def test_malformed_events_are_skipped(analytics_db: AnalyticsDatabase) -> None:
    good = Script("u1").session().user("你好", "greet").events
    junk: list[Any] = [None, "text", {"event": "user"}, {"sender_id": "x", "event": "user"}]
    await apply(analytics_db, junk + good + [{"sender_id": "u1", "timestamp": "soon"}])
    async with analytics_db.session() as session:
        count = len((await session.execute(select(MessageRow))).scalars().all())
    assert count == 1


async def test_what_is_not_a_customer_message_or_not_a_fallback(
    analytics_db: AnalyticsDatabase,
) -> None:
    script = Script("u1").session().user("查订单HP20240001", "query_order").loop("order_id_form")
    script.bot("请提供手机号后4位").user("8001", "nlu_fallback", 0.3).action("order_id_form")
    script.loop(None).bot("您的订单已发货")  # an unsure intent the form took: no fallback
    script.user("转人工", "human_handoff").bot("正在为您转接")
    agent_reply = {**script.bot("您好，我是王芳").events[-1]}
    script.events[-1]["metadata"] = {"agent_id": "a1", "zhike_outbox_key": "k1"}  # the desk's
    script.user("/session_start", "session_start").action("action_session_start").session()
    await apply(analytics_db, script.events)
    async with analytics_db.session() as session:
        rows = (
            (await session.execute(select(SessionRow).order_by(SessionRow.started_at)))
            .scalars()
            .all()
        )
        texts = (await session.execute(select(MessageRow.text))).scalars().all()
    assert [(r.user_messages, r.bot_messages, r.fallbacks, r.superseded) for r in rows] == [
        (3, 3, 0, True),
        (0, 0, 0, False),  # the new session: nobody wrote in it yet
    ]
    assert agent_reply["text"] not in texts and "/session_start" not in texts
