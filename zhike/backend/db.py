"""Async database access: engine, session factory and transactional helpers.

SQLite gets foreign keys, WAL journaling (files) and explicit transactions: a read
session starts with ``BEGIN``, a write transaction with ``BEGIN IMMEDIATE`` so writers
queue up at the start instead of failing halfway. PostgreSQL runs at its default
READ COMMITTED level; the service functions lock the rows they change.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from zhike.backend.errors import ApiError
from zhike.backend.models import Base
from zhike.backend.schema import add_missing_columns

logger = logging.getLogger(__name__)

T = TypeVar("T")

_WRITE_OPTION = "zhike_write"
DEFAULT_ATTEMPTS = 3


def safe_url(db_url: str) -> str:
    """The URL with its password hidden, for logs."""
    return make_url(db_url).render_as_string(hide_password=True)


def _engine_options(db_url: str) -> dict[str, Any]:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return {"pool_pre_ping": True}
    if url.database in (None, "", ":memory:"):
        # One shared connection, otherwise every connection sees its own empty database.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return {"connect_args": {"timeout": 30}}


class Database:
    """An async SQLAlchemy engine plus session factories for one event loop.

    Create it inside the loop that will use it (e.g. in a server start listener) and
    call :meth:`dispose` when done.
    """

    def __init__(self, db_url: str, echo: bool = False) -> None:
        self.url = db_url
        self.engine: AsyncEngine = create_async_engine(
            db_url, echo=echo, future=True, **_engine_options(db_url)
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, future=True
        )
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}),
            class_=AsyncSession,
            expire_on_commit=False,
            future=True,
        )

    async def create_tables(self) -> None:
        """Creates missing tables and adds missing columns to existing ones.

        See :func:`zhike.backend.schema.add_missing_columns` for what can be upgraded.
        """
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.run_sync(add_missing_columns)

    async def drop_tables(self) -> None:
        """Drops every table of the model (tests and ``--reset`` only)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing is committed."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        An :class:`~zhike.backend.errors.ApiError` with ``keep_changes`` is re-raised
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

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS
    ) -> T:
        """Runs ``work(session)`` in one :meth:`transaction` and returns its result.

        A unique-constraint collision with a concurrent transaction (``IntegrityError``)
        rolls back and runs ``work`` again in a fresh transaction, up to ``attempts``
        times: the second run sees the winner's row and answers accordingly (the same
        idempotent ticket, ``request_exists`` ...). ``work`` must therefore be safe to
        repeat and must not touch anything outside the session.
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction() as session:
                    return await work(session)
            except IntegrityError:
                if attempt == attempts:
                    raise
                logger.info("Concurrent write collided (attempt %d), retrying", attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def dispose(self) -> None:
        """Closes every pooled connection."""
        await self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()
    if mode and str(mode[0]).lower() not in ("memory", "wal"):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
