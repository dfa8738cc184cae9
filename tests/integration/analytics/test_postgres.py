"""The analytics tables on a real PostgreSQL server (``ZHIKE_ANALYTICS_DB_URL`` in production).

Two consumers read the same SQL broker table into one PostgreSQL database at once: the
cursor row lock makes them apply each batch once, and the summary is the one of the
events applied by a single consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from tests.unit.analytics.conftest import T0, settings
from tests.unit.analytics.test_consumer import Broker
from tests.unit.analytics.test_ingest import shop_conversation
from zhike.analytics.consumer import Consumer
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.report import Reports, period

pytestmark = pytest.mark.integration  # about 7 s


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def pg_db(postgres: PostgresServer) -> AsyncIterator[AnalyticsDatabase]:
    db = AnalyticsDatabase(postgres.url)
    await db.drop_tables()
    await db.create_tables()
    yield db
    await db.dispose()


async def test_two_consumers_on_postgresql_apply_every_event_once(
    pg_db: AnalyticsDatabase, tmp_path: Path
) -> None:
    broker = Broker(tmp_path / "events.db")
    events = [e for n in range(20) for e in shop_conversation(f"pg{n}").events]
    broker.publish(events)
    consumers = [
        Consumer(settings(pg_db.url, events_db_url=broker.url, batch_size=25), pg_db)
        for _ in range(2)
    ]
    for consumer in consumers:
        await consumer.start()
    await asyncio.gather(*(consumer.drain() for consumer in consumers))
    for consumer in consumers:
        await consumer.close()
    broker.broker.engine.dispose()
    assert sum(c.events_applied for c in consumers) == len(events)
    async with pg_db.session() as session:
        count = (await session.execute(text("SELECT count(*) FROM analytics_messages"))).scalar()
    assert count == 20 * 7
    since, until = period("2026-12-01", "2026-12-01", settings(pg_db.url).zone)
    summary = await Reports(pg_db, settings(pg_db.url)).summary(since, until)
    assert (summary["conversations"], summary["knowledge_coverage"]) == (20, 1.0)
    assert summary["fallback_rate"] == round(20 / 60, 4)
    assert T0.date().isoformat() in summary["since"]
