"""The handoff outbox on a real PostgreSQL server: concurrent claims and two dispatchers.

``SELECT ... FOR UPDATE SKIP LOCKED`` must hand every row to one claimer only, and only
the oldest pending row of a sender; two dispatchers (two engines, like two desk
processes) must deliver every reply once and in order. Skipped without PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from tests.unit.servers.desk.flaky_rasa import FlakyRasa
from tests.unit.servers.desk.outbox_scenarios import (
    agent_conversation,
    two_dispatchers_never_double_send,
)
from zhike.lib.handoff import HandoffDatabase, HandoffOutbox, HandoffService, RetryPolicy

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def db_url(postgres: PostgresServer) -> AsyncIterator[str]:
    db = HandoffDatabase(postgres.url)
    await db.drop_tables()
    await db.create_tables()
    await db.dispose()
    yield postgres.url


@pytest.fixture
async def rasa() -> AsyncIterator[FlakyRasa]:
    server = FlakyRasa()
    await server.start()
    yield server
    await server.stop()


async def test_concurrent_claims_never_share_a_row_and_keep_each_senders_order(
    db_url: str,
) -> None:
    writer = HandoffDatabase(db_url)
    service = HandoffService(writer)
    for n in range(6):
        await agent_conversation(service, f"s{n}", f"a{n}", ["一", "二"])
    engines = [HandoffDatabase(db_url) for _ in range(4)]
    outboxes = [HandoffOutbox(db) for db in engines]
    try:
        rounds = []
        for _ in range(3):  # each round: claim at once from every engine, then settle all
            claimed = await asyncio.gather(
                *(
                    outbox.claim(f"d{n}", timedelta(minutes=1), 3)
                    for n, outbox in enumerate(outboxes)
                )
            )
            items = [(n, item) for n, batch in enumerate(claimed) for item in batch]
            ids = [item.entry.id for _, item in items]
            assert len(ids) == len(set(ids)) == 6  # one head per sender, each once
            assert len({item.conversation.sender_id for _, item in items}) == 6
            rounds.append([item.entry.kind for _, item in items])
            for n, item in items:
                settled = await outboxes[n].settle(item, f"d{n}", None, RetryPolicy())
                assert settled is not None and settled.state == "delivered"
        assert [sorted(set(kinds)) for kinds in rounds] == [
            ["taken_over"],
            ["deliver"],
            ["deliver"],
        ]
        assert await outboxes[0].claim("late", timedelta(minutes=1), 10) == []
    finally:
        for db in (*engines, writer):
            await db.dispose()


async def test_two_dispatchers_on_postgres_never_double_send(db_url: str, rasa: FlakyRasa) -> None:
    attempts = await two_dispatchers_never_double_send(db_url, rasa)
    assert sum(attempts) >= 8 * 6
