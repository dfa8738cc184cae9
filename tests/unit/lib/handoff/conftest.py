"""A handoff service on an in-memory SQLite database with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.handoff import HandoffDatabase, HandoffService

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 4 June 2024, 10:00 in Shanghai: the desk is open.
T0 = datetime(2024, 6, 4, 10, 0, tzinfo=SHANGHAI)


def at(minutes: float) -> datetime:
    """T0 plus some minutes."""
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
async def service() -> AsyncIterator[HandoffService]:
    db = HandoffDatabase("sqlite+aiosqlite://")
    await db.create_tables()
    handoff = HandoffService(db, clock=lambda: T0)
    await handoff.save_agent("a1", "王芳", ["orders"], max_concurrent=2, online=True)
    await handoff.save_agent("a2", "刘洋", ["orders", "courses"], online=True)
    await handoff.save_agent("s1", "主管", [], supervisor=True, online=False)
    yield handoff
    await db.dispose()
