"""Runs one round of the desk's background job (inspection, tags) in a test desk.

The test desk is not served by Sanic's listeners, so nothing runs in the background:
tests call :func:`background_round` where a real desk's job would have come by (every
5 seconds). The analytics tables are a fresh SQLite file next to the desk's, unless the
test gave the app its own.
"""

from __future__ import annotations

from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.report import Reports
from zhike.analytics.settings import AnalyticsSettings
from zhike.lib.qa.jobs import RoundResult
from zhike.servers.desk.background import one_round

from .conftest import _DB_DIR, Desk


async def analytics_of(desk: Desk) -> AnalyticsDatabase:
    """The desk's analytics tables (created, and closed with the desk's context)."""
    found: Reports | None = getattr(desk.app.ctx, "analytics", None)
    if found is None:
        db = AnalyticsDatabase(f"sqlite+aiosqlite:///{_DB_DIR[-1] / 'analytics.db'}")
        await db.create_tables()
        found = Reports(db, AnalyticsSettings(db_url=db.url, handoff_db_url=None))
        desk.app.ctx.analytics = found
        closing = desk.context.close

        async def close() -> None:
            await db.dispose()
            await closing()

        desk.context.close = close  # type: ignore[method-assign]
    return found.db


async def background_round(desk: Desk) -> RoundResult:
    """One round of the job, as the replica holding the lease."""
    await analytics_of(desk)
    return await one_round(desk.app)
