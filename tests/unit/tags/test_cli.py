"""``python -m zhike.tags recompute`` on a SQLite desk database and the fake backend."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.tags_db import customer_tags
from zhike.tags.cli import main


async def conversations(url: str, *customers: str) -> None:
    db = HandoffDatabase(url)
    await db.create_tables()
    service = HandoffService(db)
    for customer in customers:
        await service.request_handoff(f"app:{customer}", "app", customer, "orders", {})
    await db.dispose()


async def labels(url: str, customer: str) -> set[str]:
    db = DeskDatabase(url)
    try:
        return {tag.label for tag in await customer_tags(db, customer)}
    finally:
        await db.dispose()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_recompute_one_customer_then_everyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_BACKEND", "fake")
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    asyncio.run(conversations(url, "C001", "C002"))

    status, out, _ = run("recompute", "--db-url", url, "--customer", "C002")
    assert status == 0, out
    assert "C002: " in out and "recomputed 1 of 1 customer(s)" in out
    assert "课程家长" in asyncio.run(labels(url, "C002"))
    assert asyncio.run(labels(url, "C001")) == set()

    status, out, _ = run("recompute", "--db-url", url)
    assert status == 0 and "recomputed 2 of 2 customer(s)" in out
    assert {"VIP", "高频退款", "新客户"} <= asyncio.run(labels(url, "C001"))
    again = asyncio.run(labels(url, "C001"))
    assert run("recompute", "--db-url", url)[0] == 0
    assert asyncio.run(labels(url, "C001")) == again


def test_recompute_refuses_an_invalid_rules_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_BACKEND", "fake")
    rules = tmp_path / "rules.yml"
    rules.write_text("version: 1\nrules:\n  - tag: vip\n    colour: gold\n", encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"

    status, _, err = run("recompute", "--db-url", url, "--rules", str(rules))

    assert status == 1
    assert f"{rules}: rule 1 (vip) colour: must be one of red" in err
