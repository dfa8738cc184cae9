"""The handoff tables' database: :class:`zhike.database.AsyncDatabase` for ``handoff_*``.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so writers queue up; PostgreSQL
runs at READ COMMITTED and the service locks the rows it changes (``SELECT ... FOR
UPDATE``). A unique-constraint collision with a concurrent transaction is retried in a
fresh transaction, which then sees the winner's row.
"""

from __future__ import annotations

from zhike.database import DEFAULT_ATTEMPTS, AsyncDatabase
from zhike.handoff.models import HandoffBase

__all__ = ["DEFAULT_ATTEMPTS", "HandoffDatabase"]


class HandoffDatabase(AsyncDatabase):
    """An async engine for the ``handoff_*`` tables, for one event loop.

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = HandoffBase.metadata
