"""The allocation of RF/IV/LR/TK ids (in-memory and file SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.models import IdSequence, Ticket
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.sequences import allocate_id

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
async def memory_db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_tables()
    yield database
    await database.dispose()


async def _allocate(db: Database, prefix: str) -> str:
    async def work(session: AsyncSession) -> str:
        return await allocate_id(session, prefix)

    return await db.run(work)


async def test_first_ids_of_an_empty_database(memory_db: Database) -> None:
    assert await _allocate(memory_db, "TK") == "TK20240001"
    assert await _allocate(memory_db, "TK") == "TK20240002"
    assert await _allocate(memory_db, "RF") == "RF20240001"  # sequences are per prefix
    with pytest.raises(KeyError):
        await _allocate(memory_db, "XX")


async def test_numbering_continues_after_seeded_ids(memory_db: Database) -> None:
    await seed_if_empty(memory_db, now=NOW)
    assert await _allocate(memory_db, "TK") == "TK20240003"  # TK20240001/2 are seeded
    assert await _allocate(memory_db, "IV") == "IV20240002"
    assert await _allocate(memory_db, "LR") == "LR20240002"
    assert await _allocate(memory_db, "RF") == "RF20240002"


async def test_rolled_back_allocation_is_not_consumed(memory_db: Database) -> None:
    assert await _allocate(memory_db, "TK") == "TK20240001"
    with pytest.raises(RuntimeError):
        async with memory_db.transaction() as session:
            assert await allocate_id(session, "TK") == "TK20240002"
            raise RuntimeError("abort")
    assert await _allocate(memory_db, "TK") == "TK20240002"


async def test_concurrent_allocations_are_distinct(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/ids.db")
    try:
        await db.create_tables()

        async def insert(session: AsyncSession) -> str:
            ticket_id = await allocate_id(session, "TK")
            await asyncio.sleep(0)  # let the others run while the transaction is open
            session.add(Ticket(id=ticket_id, category="other", summary="x", status="open"))
            return ticket_id

        ids = await asyncio.gather(*(db.run(insert) for _ in range(20)))
        assert sorted(ids) == [f"TK{20240001 + n}" for n in range(20)]
        async with db.session() as session:
            assert await session.scalar(select(IdSequence.last_value)) == 20240020
    finally:
        await db.dispose()
