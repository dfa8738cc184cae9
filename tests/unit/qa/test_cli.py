"""``python -m zhike.qa inspect --since``: backfills records, idempotently."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.qa.models import Record
from zhike.lib.qa.store import QaDatabase
from zhike.qa.cli import main

T0 = datetime(2024, 6, 4, 2, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[3]


async def closed_conversations(url: str) -> None:
    db = HandoffDatabase(url)
    await db.create_tables()
    handoff = HandoffService(db)
    await handoff.save_agent("a1", "王芳", ["orders"], online=True)
    for n, rating in ((1, 1), (2, 5)):
        sender = f"cli-{n}"
        cid = (
            await handoff.request_handoff(sender, "rest", None, "orders", {}, now=T0)
        ).conversation_id
        await handoff.route_user_message(sender, "rest", "在吗", f"{sender}-1", now=T0)
        await handoff.accept("a1", cid, now=T0 + timedelta(seconds=2))
        await handoff.append_message(
            cid, "agent", "您好，很高兴为您服务，感谢您的耐心", f"{sender}-a", {"agent_id": "a1"},
            now=T0 + timedelta(seconds=5), agent_id="a1",
        )  # fmt: skip
        await handoff.close(cid, "a1", "resolved", now=T0 + timedelta(seconds=9))
        await handoff.rate(cid, rating, now=T0 + timedelta(seconds=20))
    await db.dispose()


async def record_count(url: str) -> int:
    db = QaDatabase(url)
    async with db.session() as session:
        found = await session.scalar(select(func.count(Record.id)))
    await db.dispose()
    return int(found or 0)


def test_inspect_backfills_once_and_all_reinspects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("ZHIKE_ANALYTICS_DB_URL", f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    asyncio.run(closed_conversations(url))
    assert main(["inspect", "--since", "2024-06-01", "--db-url", url]) == 0
    assert capsys.readouterr().out.strip() == "已质检 2 个会话，其中 1 个需要复核"
    assert main(["inspect", "--since", "2024-06-01T00:00:00Z", "--db-url", url]) == 0
    assert capsys.readouterr().out.strip() == "已质检 0 个会话，其中 0 个需要复核"
    assert main(["inspect", "--since", "2024-06-01", "--db-url", url, "--all"]) == 0
    assert capsys.readouterr().out.strip() == "已质检 2 个会话，其中 1 个需要复核"
    assert asyncio.run(record_count(url)) == 2  # replaced, never duplicated
    assert main(["inspect", "--since", "2024-06-05", "--db-url", url]) == 0
    assert capsys.readouterr().out.strip() == "已质检 0 个会话，其中 0 个需要复核"


def test_a_bad_date_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zhike.qa", "inspect", "--since", "昨天"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "not an ISO date or time" in done.stderr
