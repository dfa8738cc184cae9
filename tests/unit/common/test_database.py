"""zhike's database engines never put bound parameters into error messages or logs."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from zhike.common.database import AsyncDatabase

SECRET = "13800138000-token-s3cr3t"


class _Database(AsyncDatabase):
    metadata = MetaData()


Table(
    "people",
    _Database.metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(64), unique=True),
)


async def test_a_failing_statement_does_not_show_its_parameters() -> None:
    db = _Database("sqlite+aiosqlite://")
    await db.create_tables()
    table = _Database.metadata.tables["people"]
    try:
        async with db.transaction() as session:
            await session.execute(insert(table).values(phone=SECRET))
        with pytest.raises(IntegrityError) as failure:
            async with db.transaction() as session:
                await session.execute(insert(table).values(phone=SECRET))
    finally:
        await db.dispose()
    assert "people.phone" in str(failure.value)  # still says what went wrong
    assert SECRET not in str(failure.value)
    assert SECRET not in repr(failure.value)


async def test_processes_opening_a_new_database_at_once_all_get_its_tables(tmp_path) -> None:
    """The desk, the action server and Rasa open a new knowledge base at the same time."""
    for round_ in range(10):
        url = f"sqlite+aiosqlite:///{tmp_path / f'new{round_}.db'}"
        databases = [_Database(url) for _ in range(3)]
        try:
            results = await asyncio.gather(
                *(db.create_tables() for db in databases), return_exceptions=True
            )
        finally:
            for db in databases:
                await db.dispose()
        assert [r for r in results if isinstance(r, BaseException)] == []
