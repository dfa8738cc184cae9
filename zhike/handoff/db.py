"""Async database access for the handoff tables: engine, transactions, retries.

Like :mod:`zhike.backend.db`: SQLite write transactions start with ``BEGIN IMMEDIATE`` so
writers queue up; PostgreSQL runs at READ COMMITTED and the service locks the rows it
changes (``SELECT ... FOR UPDATE``). A unique-constraint collision with a concurrent
transaction is retried in a fresh transaction, which then sees the winner's row.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from zhike.handoff.models import HandoffBase

logger = logging.getLogger(__name__)

T = TypeVar("T")

_WRITE_OPTION = "zhike_handoff_write"
DEFAULT_ATTEMPTS = 3


class HandoffDatabase:
    """An async engine for the handoff tables, for one event loop.

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    def __init__(self, db_url: str, echo: bool = False) -> None:
        self.url = db_url
        options: dict[str, Any] = {}
        url = make_url(db_url)
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
            else:
                options = {"connect_args": {"timeout": 30}}
        else:
            options = {"pool_pre_ping": True}
        self.engine: AsyncEngine = create_async_engine(db_url, echo=echo, future=True, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._reads = sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, future=True
        )
        self._writes = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}),
            class_=AsyncSession,
            expire_on_commit=False,
            future=True,
        )

    @property
    def dialect(self) -> str:
        """The dialect name: ``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    async def create_tables(self) -> None:
        """Creates the missing ``handoff_*`` tables."""
        async with self.engine.begin() as conn:
            await conn.run_sync(HandoffBase.metadata.create_all)

    async def drop_tables(self) -> None:
        """Drops the ``handoff_*`` tables (tests only)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(HandoffBase.metadata.drop_all)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads inside one transaction; nothing is committed."""
        async with self._reads() as session:
            async with session.begin():
                yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write session: committed on success, rolled back on any exception."""
        async with self._writes() as session:
            async with session.begin():
                yield session

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS
    ) -> T:
        """Runs ``work(session)`` in one :meth:`transaction`, retrying unique collisions.

        ``work`` must be safe to repeat and touch nothing outside the session.
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction() as session:
                    return await work(session)
            except IntegrityError:
                if attempt == attempts:
                    raise
                logger.info("Concurrent handoff write collided (attempt %d), retrying", attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def dispose(self) -> None:
        """Closes every pooled connection."""
        await self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
