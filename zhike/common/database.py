"""Async SQLAlchemy access for zhike's own databases (reference backend, handoff).

SQLite gets foreign keys, WAL journaling (files) and explicit transactions: a read
session starts with ``BEGIN``, a write transaction with ``BEGIN IMMEDIATE`` so writers
queue up at the start instead of failing halfway. PostgreSQL runs at its default
READ COMMITTED level; the service functions lock the rows they change. A unique-constraint
collision with a concurrent transaction is retried in a fresh transaction
(:meth:`AsyncDatabase.run`), which then sees the winner's row.

Every engine hides bound parameters in its error messages (``hide_parameters``), and the
values PostgreSQL and asyncpg quote in theirs (a ``DETAIL: Key (phone)=(...)`` line, an
argument that did not convert): a failing statement never puts a customer's text, phone
number or token into an exception or a log (aiosqlite's DEBUG statement log is kept off).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import MetaData, and_, event, or_
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

logger = logging.getLogger(__name__)

T = TypeVar("T")

_WRITE_OPTION = "zhike_write"
DEFAULT_ATTEMPTS = 3
CREATE_ATTEMPTS = 5


STATE_DIR_NAME = ".zhike"


def state_sqlite_url(file_name: str, cwd: Path | None = None) -> str:
    """SQLite file ``.zhike/<file_name>`` under ``cwd`` (default: the working directory).

    Where ``make run`` keeps local state; every service defaults its database here.
    """
    base = (cwd or Path.cwd()).resolve()
    return f"sqlite+aiosqlite:///{base / STATE_DIR_NAME / file_name}"


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


def keyset_after(column: Any, id_column: Any, after: tuple[Any, int] | None) -> list[Any]:
    """The condition for the rows after ``after`` in ``(column, id_column)`` order.

    For keyset pages: ``query.where(*keyset_after(...))`` is no condition on the first page
    (``after`` None) and "(column, id) > after" on the next ones.
    """
    if after is None:
        return []
    value, row_id = after
    return [or_(column > value, and_(column == value, id_column > row_id))]


class AsyncDatabase:
    """An async SQLAlchemy engine plus session factories for one event loop.

    Subclasses name their tables' ``metadata``. Create it inside the loop that will use it
    (e.g. in a server start listener) and call :meth:`dispose` when done.

    Args:
        db_url: an async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: log every statement.
    """

    metadata: ClassVar[MetaData]

    def __init__(self, db_url: str, echo: bool = False) -> None:
        self.url = db_url
        _quiet_driver_logs()
        self.engine: AsyncEngine = create_async_engine(
            db_url, echo=echo, future=True, hide_parameters=True, **_engine_options(db_url)
        )
        event.listen(self.engine.sync_engine, "handle_error", hide_values)
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

    @property
    def dialect(self) -> str:
        """The dialect name: ``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    async def create_tables(self) -> None:
        """Creates the missing tables (and runs :meth:`upgrade`).

        Several processes may open a new database at once (the desk, the action server and
        Rasa all open the knowledge base when they start): one may create a table between
        another's check and its ``CREATE``, or hold SQLite's write lock. The loser tries
        again, and then finds the tables there.
        """
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                async with self.engine.begin() as conn:
                    await conn.run_sync(self.metadata.create_all)
                    await conn.run_sync(self.upgrade)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == CREATE_ATTEMPTS:
                    raise
                logger.info("tables created concurrently by another process; checking again")
                await asyncio.sleep(0.05 * attempt)

    def upgrade(self, connection: Connection) -> None:
        """Brings existing tables up to date; nothing by default."""

    async def drop_tables(self) -> None:
        """Drops every table of the model (tests and resets only)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(self.metadata.drop_all)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads (one transaction from its first query); nothing is committed."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write session in one transaction: committed on success, rolled back on error."""
        async with self._write_sessions() as session:
            async with session.begin():
                yield session

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS
    ) -> T:
        """Runs ``work(session)`` in one :meth:`transaction` and returns its result.

        A unique-constraint collision with a concurrent transaction (``IntegrityError``)
        rolls back and runs ``work`` again in a fresh transaction, up to ``attempts``
        times: the second run sees the winner's row and answers accordingly. ``work``
        must therefore be safe to repeat and must not touch anything outside the session.
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


def _quiet_driver_logs() -> None:
    """Aiosqlite logs every statement with its parameters at DEBUG: never below INFO."""
    driver = logging.getLogger("aiosqlite")
    if driver.level < logging.INFO:  # also when unset: a DEBUG root would let it through
        driver.setLevel(logging.INFO)


# PostgreSQL's DETAIL line quotes row values ("Key (phone)=(138...) already exists.");
# asyncpg quotes an argument it could not convert ("query argument $1: '138...' (...)").
_DETAIL_LINE = re.compile(r"DETAIL: [^\n]*")
_ARGUMENT_VALUE = re.compile(r"(invalid input for query argument [^:\n]*: )[^\n]*")
_HIDDEN = "(value hidden)"


def _scrub(text: str) -> str:
    text = _DETAIL_LINE.sub(f"DETAIL:  {_HIDDEN}", text)
    return _ARGUMENT_VALUE.sub(rf"\g<1>{_HIDDEN}", text)


def _scrub_args(error: BaseException) -> None:
    if error.args and isinstance(error.args[0], str):
        error.args = (_scrub(error.args[0]), *error.args[1:])


def hide_values(context: Any) -> None:
    """``handle_error`` listener: removes quoted values from a failed statement's errors.

    Rewrites the messages of the SQLAlchemy exception, the driver's exception and the
    exceptions it was raised from (asyncpg keeps ``DETAIL`` in an attribute it prints).
    """
    pending: list[BaseException | None] = [
        context.sqlalchemy_exception,
        context.original_exception,
    ]
    seen: set[int] = set()
    while pending and len(seen) < 16:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        _scrub_args(error)
        if isinstance(getattr(error, "detail", None), str):
            try:
                error.detail = None  # type: ignore[attr-defined]
            except AttributeError:  # a read-only attribute: its message is scrubbed
                pass
        pending.extend((error.__cause__, error.__context__))


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
