"""Customers who leave the live queue: from the handoff tables to the summary, CLI and CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from rasa.core.brokers.sql import SQLEventBroker

from zhike.analytics import cli, export
from zhike.analytics.consumer import Consumer
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.report import Reports, period
from zhike.lib.handoff import HandoffDatabase, HandoffService

from .conftest import SHANGHAI, T0, Script, settings


@pytest.fixture
async def handoff(tmp_path: Path) -> AsyncIterator[HandoffService]:
    db = HandoffDatabase(f"sqlite+aiosqlite:///{tmp_path / 'handoff.db'}")
    await db.create_tables()
    service = HandoffService(db)
    await service.save_agent("a1", "王芳", ["orders"], online=True)  # nobody for courses
    yield service
    await db.dispose()


async def ask_for_a_human(
    broker: SQLEventBroker, handoff: HandoffService, sender: str, group: str = "orders"
) -> tuple[Script, int]:
    """The customer says 转人工 on the REST channel; the action server opens the episode."""
    script = Script(sender, start=T0).session().user("转人工", "human_handoff")
    script.bot("正在为您转接人工客服", "utter_handoff_queued")
    for event in script.events:
        broker.publish(event)
    outcome = await handoff.request_handoff(
        sender, "rest", None, group, {"reason": "客户要求转人工"}, now=script.now
    )
    return script, outcome.conversation_id


async def test_leaving_the_queue_is_counted_per_handoff_that_entered_it(
    tmp_path: Path,
    analytics_db: AnalyticsDatabase,
    handoff: HandoffService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broker = SQLEventBroker(dialect="sqlite", db=str(tmp_path / "events.db"))
    left, left_id = await ask_for_a_human(broker, handoff, "u-cancelled")
    await handoff.close(left_id, None, "user_left", now=left.now + timedelta(minutes=2))
    gone, _ = await ask_for_a_human(broker, handoff, "u-new-session")
    for event in gone.wait(hours=2).session().events[-2:]:  # back later: a new session
        broker.publish(event)
    served, served_id = await ask_for_a_human(broker, handoff, "u-served")
    await handoff.accept("a1", served_id, now=served.now + timedelta(minutes=1))
    await handoff.close(served_id, "a1", "resolved", now=served.now + timedelta(minutes=5))
    await ask_for_a_human(broker, handoff, "u-ticket", group="courses")  # nobody online
    broker.engine.dispose()

    consumer = Consumer(
        settings(
            analytics_db.url,
            events_db_url=f"sqlite+aiosqlite:///{tmp_path / 'events.db'}",
            handoff_db_url=handoff.db.url,
        ),
        analytics_db,
    )
    await consumer.start()
    await consumer.drain()
    await consumer.close()

    since, until = period("2026-12-01", "2026-12-01", SHANGHAI)
    summary = await Reports(analytics_db, settings(analytics_db.url)).summary(since, until)
    assert summary["handed_off"] == 4
    # u-ticket's request became a ticket: it never entered the queue
    assert (summary["queued_handoffs"], summary["queue_abandoned"]) == (3, 2)
    assert summary["queue_abandonment_rate"] == round(2 / 3, 4)
    assert summary["by_channel"]["rest"]["queue_abandoned"] == 2
    assert summary["abandoned"] == 0

    rows = list(csv.DictReader(io.StringIO(export.summary_csv(summary).lstrip("\ufeff"))))
    assert (rows[0]["queue_abandoned"], rows[0]["queue_abandonment_rate"]) == ("2", "0.6667")

    monkeypatch.setenv("ZHIKE_ANALYTICS_DB_URL", analytics_db.url)
    args = ["summary", "--since", "2026-12-01", "--until", "2026-12-01"]
    assert await asyncio.to_thread(cli.main, [*args, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["queue_abandoned"], printed["queue_abandonment_rate"]) == (2, 0.6667)
    assert await asyncio.to_thread(cli.main, args) == 0
    assert "queue_abandonment_rate" in capsys.readouterr().out
