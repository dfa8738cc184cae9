"""Periods from ISO 8601 text, settings from the environment, and the summary CLI."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from zhike.analytics import cli
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.analytics.report import BadPeriod, parse_instant, period
from zhike.analytics.settings import settings_from_env

from .conftest import SHANGHAI, T0, Script

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2026-12-01", False, "2026-12-01T00:00:00+08:00"),
        ("2026-12-01", True, "2026-12-02T00:00:00+08:00"),  # until a date includes it
        ("2026-12-01T09:30", False, "2026-12-01T09:30:00+08:00"),
        ("2026-12-01 09:30:00", False, "2026-12-01T09:30:00+08:00"),
        ("2026-12-01T01:30:00Z", False, "2026-12-01T01:30:00+00:00"),
        ("2026-12-01T09:30:00+09:00", False, "2026-12-01T09:30:00+09:00"),
    ],
)
def test_parse_instant(text: str, end: bool, expected: str) -> None:
    assert parse_instant(text, SHANGHAI, end=end).isoformat() == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-30", "12/01/2026", "2026-12-01T25:00"])
def test_malformed_instants(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_instant(text, SHANGHAI)


def test_period_defaults_and_order() -> None:
    since, until = period(None, None, SHANGHAI, now=NOW)
    assert until == NOW and (until - since).days == 7
    with pytest.raises(BadPeriod):
        period("2026-12-03", "2026-12-02", SHANGHAI)


def test_settings_from_env() -> None:
    found = settings_from_env(
        {
            "ZHIKE_ANALYTICS_DB_URL": "postgresql+asyncpg://u@h/a",
            "ZHIKE_ANALYTICS_SOURCE": "RabbitMQ",
            "ZHIKE_HANDOFF_HOURS": "08:30-20:00",
            "ZHIKE_ANALYTICS_IDLE_MINUTES": "5",
        }
    )
    assert (found.db_url, found.source, found.idle_minutes) == (
        "postgresql+asyncpg://u@h/a",
        "rabbitmq",
        5.0,
    )
    assert (found.open_at.isoformat(), found.close_at.isoformat()) == ("08:30:00", "20:00:00")
    for bad in (
        {"ZHIKE_ANALYTICS_SOURCE": "kafka"},
        {"ZHIKE_ANALYTICS_HOURS": "21:00-09:00"},
        {"ZHIKE_ANALYTICS_TIMEZONE": "Mars/Olympus"},
        {"ZHIKE_ANALYTICS_BATCH": "lots"},
    ):
        with pytest.raises(ValueError):
            settings_from_env(bad)


async def test_summary_cli_prints_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}"
    db = AnalyticsDatabase(url)
    await db.create_tables()
    script = Script("u1").session().kb_answer("多久发货").user("转人工", "human_handoff")

    async def work(session: Any) -> int:
        return await apply_events(session, script.events)

    await db.run(work)
    await db.dispose()
    monkeypatch.setenv("ZHIKE_ANALYTICS_DB_URL", url)
    # the CLI runs its own event loop: run it in a thread, away from the test's loop
    import asyncio

    status = await asyncio.to_thread(
        cli.main, ["summary", "--since", T0.date().isoformat(), "--until", "2026-12-01", "--json"]
    )
    assert status == 0
    document = json.loads(capsys.readouterr().out)
    assert document["conversations"] == 1 and document["knowledge_coverage"] == 1.0
    assert document["by_channel"]["rest"]["conversations"] == 1
    bad = await asyncio.to_thread(cli.main, ["summary", "--since", "tomorrow-ish"])
    assert bad == 2
