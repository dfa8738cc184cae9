"""The reference backend's database: :class:`zhike.common.database.AsyncDatabase` for its tables.

See :mod:`zhike.common.database` for transactions on SQLite and PostgreSQL; a backend
transaction additionally keeps the changes of a refusal marked ``keep_changes``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.database import DEFAULT_ATTEMPTS, AsyncDatabase, safe_url
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Base
from zhike.servers.backend.schema import add_missing_columns

__all__ = ["DEFAULT_ATTEMPTS", "Database", "safe_url"]


class Database(AsyncDatabase):
    """The reference backend's tables (:mod:`zhike.servers.backend.models`), for one event loop.

    Create it inside the loop that will use it (e.g. in a server start listener) and
    call :meth:`dispose` when done.
    """

    metadata = Base.metadata

    def upgrade(self, connection: Connection) -> None:
        """Adds missing columns to existing tables.

        See :func:`zhike.servers.backend.schema.add_missing_columns` for what can be upgraded.
        """
        add_missing_columns(connection)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        An :class:`~zhike.servers.backend.errors.ApiError` with ``keep_changes`` is re-raised
        after the commit (a refusal whose bookkeeping must stay, e.g. a wrong-code count).
        """
        refusal: ApiError | None = None
        async with self._write_sessions() as session:
            async with session.begin():
                try:
                    yield session
                except ApiError as error:
                    if not error.keep_changes:
                        raise
                    refusal = error
        if refusal is not None:
            raise refusal
