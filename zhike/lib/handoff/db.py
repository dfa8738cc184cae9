"""The handoff tables' database: :class:`zhike.common.database.AsyncDatabase` for ``handoff_*``.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so writers queue up; PostgreSQL
runs at READ COMMITTED and the service locks the rows it changes (``SELECT ... FOR
UPDATE``). A unique-constraint collision with a concurrent transaction is retried in a
fresh transaction, which then sees the winner's row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.database import DEFAULT_ATTEMPTS, AsyncDatabase
from zhike.lib.handoff.errors import HandoffUnavailable
from zhike.lib.handoff.models import HandoffBase

__all__ = ["DEFAULT_ATTEMPTS", "HandoffDatabase", "STORAGE_ERRORS", "storage_failures"]

T = TypeVar("T")
# What storage raises when it cannot do its work (OSError: a file or socket that failed).
STORAGE_ERRORS = (SQLAlchemyError, OSError)


class HandoffDatabase(AsyncDatabase):
    """An async engine for the ``handoff_*`` tables, for one event loop.

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = HandoffBase.metadata

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS
    ) -> T:
        """See the base class; a storage failure is a :class:`HandoffUnavailable`."""
        with storage_failures("handoff storage failed"):
            return await super().run(work, attempts)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """See the base class; a storage failure is a :class:`HandoffUnavailable`."""
        with storage_failures("handoff storage failed"):
            async with super().session() as session:
                yield session

    async def create_tables(self) -> None:
        """See the base class; a storage failure is a :class:`HandoffUnavailable`."""
        with storage_failures("handoff storage failed"):
            await super().create_tables()


@contextmanager
def storage_failures(what: str, also: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Raises a storage failure (or one of ``also``) as :class:`HandoffUnavailable`.

    The message names only the exception's type: a driver's text can quote stored data.
    """
    try:
        yield
    except (*STORAGE_ERRORS, *also) as error:
        raise HandoffUnavailable(f"{what} ({type(error).__name__})") from error
