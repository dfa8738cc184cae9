"""The desk tables' database: :class:`zhike.database.AsyncDatabase` for ``desk_*``."""

from __future__ import annotations

from zhike.database import AsyncDatabase
from zhike.desk.models import DeskBase


class DeskDatabase(AsyncDatabase):
    """An async engine for the ``desk_*`` tables (accounts, sessions, login failures).

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = DeskBase.metadata
