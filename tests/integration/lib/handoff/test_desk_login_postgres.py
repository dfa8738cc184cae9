"""The desk's login limits on a real PostgreSQL server, shared by two desk replicas.

Two :class:`DeskAuth` on separate engines play two desk processes behind one load
balancer: a flood of failed logins from one address, spread over both and sent at once,
gets exactly the configured number of password checks; the rest are refused (429).
Also: a table from before addresses were counted is upgraded in place, and errors of the
desk's engines hide their parameters. Skipped without PostgreSQL.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from zhike.servers.desk import DeskAuth, DeskDatabase, DeskError, DeskSettings
from zhike.servers.desk.models import Account

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def replicas(postgres: PostgresServer) -> AsyncIterator[list[DeskAuth]]:
    settings = DeskSettings(db_url=postgres.url, login_hash_wait=30.0)
    first = DeskDatabase(postgres.url)
    await first.drop_tables()
    await first.create_tables()
    second = DeskDatabase(postgres.url)
    auths = [DeskAuth(db, settings, scrypt_n=2**10) for db in (first, second)]
    yield auths
    for auth in auths:
        auth.close()
        await auth.db.dispose()


async def _attempt(auth: DeskAuth, username: str, address: str) -> int:
    try:
        await auth.login(username, "wrong-password", address)
    except DeskError as error:
        return int(error.status_code)
    return 200


async def test_a_flood_over_two_replicas_gets_exactly_the_limit(replicas: list[DeskAuth]) -> None:
    statuses = await asyncio.gather(
        *(_attempt(replicas[n % 2], f"guess{n}", "203.0.113.7") for n in range(32))
    )
    assert sorted(statuses) == [401] * 20 + [429] * 12
    assert await _attempt(replicas[0], "guess0", "198.51.100.20") == 401  # others may try


async def test_one_account_from_many_addresses_is_capped(replicas: list[DeskAuth]) -> None:
    statuses = await asyncio.gather(
        *(_attempt(replicas[n % 2], "wangfang", f"192.0.2.{n}") for n in range(1, 61))
    )
    assert sorted(statuses) == [401] * 50 + [429] * 10


async def test_an_old_failures_table_gets_the_address_column(postgres: PostgresServer) -> None:
    db = DeskDatabase(postgres.url)
    try:
        await db.drop_tables()
        await db.create_tables()
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_desk_login_failures_address"))
            await conn.execute(text("ALTER TABLE desk_login_failures DROP COLUMN address"))
        await db.create_tables()
        await db.create_tables()  # again: nothing left to do
        auth = DeskAuth(db, DeskSettings(db_url=postgres.url), scrypt_n=2**10)
        assert await _attempt(auth, "ghost", "203.0.113.7") == 401
        auth.close()
    finally:
        await db.dispose()


async def test_errors_hide_their_parameters_and_the_values_postgres_quotes(
    replicas: list[DeskAuth],
) -> None:
    db = replicas[0].db
    phone = "".join(("138", "0013", "8000"))  # not spelled out in the traceback's code lines
    row = {"username": f"u{phone}", "agent_id": "a9", "role": "agent", "password_hash": "x"}
    async with db.transaction() as session:
        await session.execute(insert(Account).values(**row))
    with pytest.raises(IntegrityError) as duplicate:
        async with db.transaction() as session:
            await session.execute(insert(Account).values(**row))
    with pytest.raises(DBAPIError) as overflow:
        async with db.transaction() as session:
            await session.execute(insert(Account).values(**row, id=int(phone)))
    for failure in (duplicate, overflow):
        printed = "".join(traceback.format_exception(failure.type, failure.value, failure.tb))
        assert "(value hidden)" in printed
        assert phone not in printed, printed
    assert "desk_accounts_username_key" in str(duplicate.value)  # still says what failed
    assert "int32" in "".join(traceback.format_exception(overflow.type, overflow.value, None))
