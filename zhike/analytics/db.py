"""The analytics database: :class:`zhike.common.database.AsyncDatabase` for ``analytics_*``."""

from __future__ import annotations

from zhike.analytics.models import AnalyticsBase
from zhike.common.database import AsyncDatabase


class AnalyticsDatabase(AsyncDatabase):
    """An async engine for the ``analytics_*`` tables, for one event loop.

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = AnalyticsBase.metadata
