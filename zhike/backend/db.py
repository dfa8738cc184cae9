"""Async database access: engine, session factory and transactional helpers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from zhike.backend.models import Base

logger = logging.getLogger(__name__)


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
    """An async SQLAlchemy engine plus session factory for one event loop.

    Create it inside the loop that will use it (e.g. in a server start listener) and
    call :meth:`dispose` when done. SQLite databases get foreign keys switched on.
    """

    def __init__(self, db_url: str, echo: bool = False) -> None:
        self.url = db_url
        self.engine: AsyncEngine = create_async_engine(
            db_url, echo=echo, future=True, **_engine_options(db_url)
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, future=True
        )

    async def create_tables(self) -> None:
        """Creates missing tables (existing ones are left as they are)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

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
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session:
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        """Closes every pooled connection."""
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
