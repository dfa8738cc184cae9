"""The consumer keeps up with 200 events per second (measured; the rate is printed).

4,000 Rasa-shaped events of 200 conversations (sessions, messages, knowledge-base answers,
fallbacks, slots, forms) are written to a SQL broker table, then one consumer reads them
in batches of 500 into a fresh analytics database. ``-s`` shows the rate.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from zhike.analytics.consumer import Consumer
from zhike.analytics.db import AnalyticsDatabase

from .conftest import T0, Script, settings

pytestmark = pytest.mark.slow
REQUIRED = 200.0  # events per second


def traffic(conversations: int) -> list[dict]:
    events: list[dict] = []
    for n in range(conversations):
        script = Script(f"load-{n}", start=T0.replace(minute=n % 60)).session()
        script.user(f"查一下订单HP2024{n:04d}", "query_order").loop("order_status_form")
        script.bot("请提供下单手机号的后 4 位数字").user("8001", "inform").loop(None)
        script.bot("您的订单已发货").kb_answer("多久发货").kb_no_answer(f"问题{n}")
        script.fallback("呜啦")
        events += script.events
    return sorted(events, key=lambda e: e["timestamp"])


async def test_the_consumer_applies_at_least_200_events_a_second(tmp_path: Path) -> None:
    events = traffic(200)
    path = tmp_path / "events.db"
    with sqlite3.connect(path) as conn:  # the table Rasa's SQLEventBroker creates
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"
        )
        conn.executemany(
            "INSERT INTO events (sender_id, data) VALUES (?, ?)",
            [(e["sender_id"], json.dumps(e)) for e in events],
        )
    db = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    consumer = Consumer(settings(db.url, events_db_url=f"sqlite+aiosqlite:///{path}"), db)
    await consumer.start()
    started = time.perf_counter()
    await consumer.drain()
    elapsed = time.perf_counter() - started
    await consumer.close()
    await db.dispose()
    rate = len(events) / elapsed
    print(f"\nanalytics consumer: {len(events)} events in {elapsed:.2f} s = {rate:.0f} events/s")
    assert consumer.events_applied == len(events)
    assert rate >= REQUIRED, f"{rate:.0f} events/s"
