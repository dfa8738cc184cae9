"""A knowledge base on a real SQLite file in tmp_path, with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import Actor
from zhike.lib.kb.service import KnowledgeBase

T0 = datetime(2024, 6, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
EDITOR = Actor("小王", "editor")
OTHER_EDITOR = Actor("小张", "editor")
REVIEWER = Actor("老李", "reviewer")
SUPERVISOR = Actor("主管", "supervisor")
AGENT = Actor("客服01", "agent")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture
async def kb(db_url: str) -> AsyncIterator[KnowledgeBase]:
    db = KbDatabase(db_url)
    await db.create_tables()
    yield KnowledgeBase(db, clock=lambda: T0)
    await db.dispose()
