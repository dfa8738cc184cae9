"""The knowledge base's database: :class:`~zhike.common.database.AsyncDatabase` for ``kb_*``.

A storage failure (database down, disk full, bad URL) is raised as
:class:`~zhike.lib.kb.errors.Unavailable` so callers catch :class:`KbError` alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.database import DEFAULT_ATTEMPTS, AsyncDatabase
from zhike.lib.kb.errors import Unavailable
from zhike.lib.kb.models import KbBase

T = TypeVar("T")


class KbDatabase(AsyncDatabase):
    """An async engine for the ``kb_*`` tables, for one event loop.

    Args:
        db_url: An async SQLAlchemy URL (``sqlite+aiosqlite://...``,
            ``postgresql+asyncpg://...``).
        echo: Log every statement.
    """

    metadata = KbBase.metadata

    async def run(
        self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS
    ) -> T:
        """See the base class; a storage failure is :class:`Unavailable`."""
        with storage_failures():
            return await super().run(work, attempts)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """See the base class; a storage failure is :class:`Unavailable`."""
        with storage_failures():
            async with super().session() as session:
                yield session

    async def create_tables(self) -> None:
        """See the base class; a storage failure is :class:`Unavailable`."""
        with storage_failures():
            await super().create_tables()


@contextmanager
def storage_failures() -> Iterator[None]:
    """Raises a storage failure as :class:`Unavailable` (naming only its type)."""
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        raise Unavailable(f"knowledge base storage failed ({type(error).__name__})") from error
