"""Whole transcripts: every message of the period's conversations, in order, masked; the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from zhike.analytics import cli, transcripts
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.analytics.models import AGENT, MessageRow
from zhike.analytics.report import period

from .conftest import SHANGHAI, T0, Script

AGENT_TEXT = "您好，我是王芳，寄到北京市海淀区中关村大街1号"


def traffic() -> list[dict[str, Any]]:
    """Three conversations on the 1st (one with an agent), a widget nobody wrote in, one later."""
    phone = Script("13800138001").session().user("改地址到上海市浦东新区张江路88号", "change")
    phone.bot("好的，已为您修改", "utter_done").user("=1+2 手机13900139002", "inform")
    web = Script("w1", start=T0 + timedelta(hours=2), channel="socketio").session()
    web.user("转人工", "human_handoff").bot("正在为您转接", "utter_handoff_queued")
    quiet = Script("w-quiet", start=T0 + timedelta(hours=1), channel="socketio").session()
    quiet.bot("您好，有什么可以帮您？")
    later = Script("u-later", start=T0 + timedelta(days=3)).session().user("你好", "greet")
    return phone.events + web.events + quiet.events + later.events


async def seeded(db: AnalyticsDatabase) -> None:
    async def work(session: Any) -> int:
        count = await apply_events(session, traffic())
        web_key = next(
            row.session_key
            for row in (await session.execute(MessageRow.__table__.select())).all()
            if row.sender_id == "w1"
        )
        session.add(
            MessageRow(
                event_key="handoff-message:1", session_key=web_key, sender_id="w1",
                channel="socketio", role=AGENT, text=AGENT_TEXT,
                at=T0 + timedelta(hours=2, minutes=1),
            )
        )  # fmt: skip
        return count

    await db.run(work)


async def lines(
    db: AnalyticsDatabase, since: str = "2026-12-01", until: str = "2026-12-01"
) -> list:
    start, end = period(since, until, SHANGHAI)
    text = "".join([chunk async for chunk in transcripts.transcript_csv(db, start, end, SHANGHAI)])
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


async def test_every_message_of_each_conversation_in_order_and_masked(
    analytics_db: AnalyticsDatabase,
) -> None:
    await seeded(analytics_db)
    rows = await lines(analytics_db)
    assert rows[0] == list(transcripts.HEADER)
    body = rows[1:]
    assert [(r[2], r[4]) for r in body] == [
        ("138****8001", "客户"),
        ("138****8001", "机器人"),
        ("138****8001", "客户"),
        ("w1", "客户"),
        ("w1", "机器人"),
        ("w1", "坐席"),
    ]  # w-quiet wrote nothing (no conversation); u-later is outside the period
    assert body[0][0].startswith("138****8001@") and body[0][1] == "rest"
    assert body[0][3] == "2026-12-01T10:00:03+08:00"
    assert body[0][5] == "改地址到上海市浦东新区****"
    assert body[2][5] == "'=1+2 手机139****9002"  # no formula, no number
    assert body[5][5] == "您好，我是王芳，寄到北京市海淀区****"
    everything = "\n".join(",".join(r) for r in rows)
    for secret in ("13800138001", "13900139002", "张江路", "中关村大街"):
        assert secret not in everything


async def test_long_periods_are_read_a_chunk_of_conversations_at_a_time(
    analytics_db: AnalyticsDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[dict[str, Any]] = []
    for i in range(7):  # u5 and u6 start at the same moment
        start = T0 + timedelta(minutes=i - (1 if i == 6 else 0))
        events += Script(f"u{i}", start=start).session().user(f"第{i}个问题", "faq").events

    async def work(session: Any) -> int:
        return await apply_events(session, events)

    await analytics_db.run(work)
    monkeypatch.setattr(transcripts, "CHUNK", 2)
    start, end = period("2026-12-01", "2026-12-01", SHANGHAI)
    chunks = [
        rows async for rows in transcripts.transcript_rows(analytics_db, start, end, SHANGHAI)
    ]
    assert [len(rows) for rows in chunks] == [2, 2, 2, 1]
    # in the order they started; u5 and u6 (same moment, split between two chunks) both there
    assert [row[5] for rows in chunks for row in rows] == [f"第{i}个问题" for i in range(7)]


async def test_the_cli_writes_the_file_and_refuses_a_bad_range(
    tmp_path: Path,
    analytics_db: AnalyticsDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await seeded(analytics_db)
    monkeypatch.setenv("ZHIKE_ANALYTICS_DB_URL", analytics_db.url)
    out = tmp_path / "transcripts.csv"
    args = ["export-transcripts", "--since", "2026-12-01", "--until", "2026-12-01"]
    assert await asyncio.to_thread(cli.main, [*args, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"6 messages written to {out}"
    written = out.read_text("utf-8-sig")
    assert written.splitlines()[0] == ",".join(transcripts.HEADER)
    assert len(list(csv.reader(io.StringIO(written)))) == 7
    assert "上海市浦东新区****" in written and "13800138001" not in written
    backwards = ["export-transcripts", "--since", "2026-12-02", "--until", "2026-11-30"]
    assert await asyncio.to_thread(cli.main, [*backwards, "--out", str(tmp_path / "x.csv")]) == 2
    assert "since must be before until" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(SystemExit):  # --since is required
        cli.parse_args(["export-transcripts", "--out", str(out)])
