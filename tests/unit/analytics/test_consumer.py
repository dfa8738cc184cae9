"""The consumer reads Rasa's SQL broker table and the handoff tables, and catches up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from zhike.analytics.consumer import EVENTS_CURSOR, Consumer, serve_health
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.models import CursorRow, HandoffRow, MessageRow, SessionRow
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.tools.process import free_port

from .conftest import T0, Script, settings
from .test_ingest import shop_conversation, snapshot


class Broker:
    """Rasa's own SQL event broker, writing the ``events`` table of a SQLite file."""

    def __init__(self, path: Path) -> None:
        from rasa.core.brokers.sql import SQLEventBroker

        self.url = f"sqlite+aiosqlite:///{path}"
        self.broker = SQLEventBroker(dialect="sqlite", db=str(path))

    def publish(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.broker.publish(event)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    found = Broker(tmp_path / "events.db")
    yield found
    found.broker.engine.dispose()


@pytest.fixture
async def handoff(tmp_path: Path) -> AsyncIterator[HandoffService]:
    db = HandoffDatabase(f"sqlite+aiosqlite:///{tmp_path / 'handoff.db'}")
    await db.create_tables()
    service = HandoffService(db)
    await service.save_agent("a1", "王芳", ["orders"], online=True)
    yield service
    await db.dispose()


async def consumer_for(
    db: AnalyticsDatabase, broker: Broker, handoff_url: str | None = None, batch: int = 500
) -> Consumer:
    consumer = Consumer(
        settings(db.url, events_db_url=broker.url, handoff_db_url=handoff_url, batch_size=batch),
        db,
    )
    await consumer.start()
    return consumer


async def test_the_consumer_applies_the_broker_table(
    analytics_db: AnalyticsDatabase, broker: Broker, tmp_path: Path
) -> None:
    events = shop_conversation().events + shop_conversation("u2").events
    broker.publish(events)
    consumer = await consumer_for(analytics_db, broker, batch=7)
    await consumer.drain()
    await consumer.close()
    reference = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    await reference.create_tables()
    from .test_ingest import apply

    await apply(reference, events)
    try:
        assert await snapshot(analytics_db) == await snapshot(reference)
    finally:
        await reference.dispose()
    async with analytics_db.session() as session:
        cursor = await session.get(CursorRow, EVENTS_CURSOR)
    assert cursor is not None and cursor.position == len(events)


async def test_a_stopped_consumer_catches_up_without_loss_or_double_counting(
    analytics_db: AnalyticsDatabase, broker: Broker, tmp_path: Path
) -> None:
    first, second = shop_conversation("u1"), shop_conversation("u2")
    broker.publish(first.events)
    consumer = await consumer_for(analytics_db, broker, batch=5)
    for _ in range(2):  # stopped after two batches, mid-conversation
        await consumer.round()
    await consumer.close()
    broker.publish(second.events)  # more traffic while it is down
    restarted = await consumer_for(analytics_db, broker, batch=5)
    await restarted.drain()
    await restarted.close()
    async with analytics_db.session() as session:
        rows = (await session.execute(select(SessionRow).order_by(SessionRow.sender_id))).scalars()
        counts = [(r.sender_id, r.user_messages, r.bot_messages) for r in rows]
    assert counts == [("u1", 3, 4), ("u2", 3, 4)]
    before = await snapshot(analytics_db)
    async with analytics_db.transaction() as session:  # rewind: everything read again
        cursor = await session.get(CursorRow, EVENTS_CURSOR)
        assert cursor is not None
        cursor.position = 0
    again = await consumer_for(analytics_db, broker)
    await again.drain()
    await again.close()
    assert await snapshot(analytics_db) == before


async def test_handoff_episodes_agent_replies_and_ratings(
    analytics_db: AnalyticsDatabase, broker: Broker, handoff: HandoffService
) -> None:
    script = Script("u1").session().user("转人工", "human_handoff").bot("正在为您转接", "utter_x")
    broker.publish(script.events)
    requested = script.now + timedelta(seconds=1)
    outcome = await handoff.request_handoff(
        "u1", "rest", "C001", "orders", {"reason": "客户要求转人工"}, now=requested
    )
    cid = outcome.conversation_id
    await handoff.accept("a1", cid, now=requested + timedelta(seconds=30))
    await handoff.append_message(
        cid, "agent", "您好，我是王芳", "k1", now=requested + timedelta(seconds=40), agent_id="a1"
    )
    await handoff.append_message(
        cid, "user", "手机13800138001的订单", "k2", now=requested + timedelta(seconds=50)
    )
    await handoff.append_message(
        cid, "agent", "已帮您查到", "k3", now=requested + timedelta(seconds=70), agent_id="a1"
    )
    await handoff.close(cid, "a1", "resolved", now=requested + timedelta(seconds=100))
    await handoff.rate(cid, 5, now=requested + timedelta(seconds=110))
    consumer = await consumer_for(analytics_db, broker, handoff_url=handoff.db.url)
    await consumer.drain()
    await consumer.close()
    async with analytics_db.session() as session:
        row = (await session.execute(select(SessionRow))).scalars().one()
        episode = await session.get(HandoffRow, cid)
        agent = (
            (await session.execute(select(MessageRow).where(MessageRow.role == "agent")))
            .scalars()
            .all()
        )
    assert (row.handed_off, row.skill_group, row.agent_id) == (True, "orders", "a1")
    assert (row.handoff_reason, row.resolution, row.csat_rating) == (
        "客户要求转人工",
        "resolved",
        5,
    )
    assert row.agent_messages == 2
    assert sorted(m.text for m in agent) == ["已帮您查到", "您好，我是王芳"]
    assert episode is not None and episode.agent_name == "王芳"
    assert (episode.reply_count, episode.reply_seconds) == (1, 20.0)  # 50 s → 70 s
    assert episode.session_key == row.session_key
    before = await snapshot(analytics_db)
    async with analytics_db.transaction() as session:  # forget how far the sync got
        cursor = await session.get(CursorRow, "handoff")
        assert cursor is not None
        cursor.mark = None
    again = await consumer_for(analytics_db, broker, handoff_url=handoff.db.url)
    await again.drain()
    await again.close()
    assert await snapshot(analytics_db) == before  # no agent reply stored twice


async def test_an_episode_seen_before_its_session_is_linked_later(
    analytics_db: AnalyticsDatabase, broker: Broker, handoff: HandoffService
) -> None:
    script = Script("u9").session().user("我要投诉", "complain")
    outcome = await handoff.request_handoff("u9", "rest", None, "orders", {}, now=script.now)
    consumer = await consumer_for(analytics_db, broker, handoff_url=handoff.db.url)
    await consumer.drain()  # the episode, but no events yet
    broker.publish(script.events)  # Rasa publishes the turn after the action ran
    time.sleep(0.01)
    await consumer.drain()
    await consumer.close()
    async with analytics_db.session() as session:
        row = (await session.execute(select(SessionRow))).scalars().one()
        episode = await session.get(HandoffRow, outcome.conversation_id)
    assert row.handed_off and episode is not None and episode.session_key == row.session_key


async def test_a_bot_only_rating_rates_the_session(
    analytics_db: AnalyticsDatabase, broker: Broker, handoff: HandoffService
) -> None:
    script = Script("u3", start=T0).session().user("再见", "goodbye")
    script.bot("请您为本次服务打个分吧", "utter_ask_rating").user("/rate_service", "rate_service")
    broker.publish(script.events)
    await handoff.rate_latest("u3", "rest", None, 2, now=script.now)
    consumer = await consumer_for(analytics_db, broker, handoff_url=handoff.db.url)
    await consumer.drain()
    await consumer.close()
    async with analytics_db.session() as session:
        row = (await session.execute(select(SessionRow))).scalars().one()
    assert (row.handed_off, row.csat_rating, row.survey_asked) == (False, 2, True)


async def test_an_unreachable_broker_is_retried_and_the_health_says_so(
    analytics_db: AnalyticsDatabase,
) -> None:
    closed = free_port()  # nothing listens there
    consumer = Consumer(
        settings(
            analytics_db.url,
            source="rabbitmq",
            rabbitmq_url=f"amqp://guest:guest@127.0.0.1:{closed}/",
            poll_seconds=0.05,
        ),
        analytics_db,
    )
    await consumer.start()
    health_port = free_port()
    server = await serve_health(consumer, "127.0.0.1", health_port)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{health_port}") as client:
            deadline = time.monotonic() + 10
            while consumer.last_error is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            health = await client.get("/health")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded" and not task.done()
            assert (await client.get("/metrics")).status_code == 404
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        server.close()
        await consumer.close()
