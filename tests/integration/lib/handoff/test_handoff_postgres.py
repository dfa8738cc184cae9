"""The handoff library on a real PostgreSQL server: races between agents and retries.

Reuses the throw-away server of the backend tests (Debian's ``postgresql`` binaries);
skipped when they are absent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from zhike.lib.handoff import (
    AgentAtCapacity,
    AlreadyAccepted,
    HandoffDatabase,
    HandoffService,
    StoredMessage,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

T0 = datetime(2024, 6, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENTS = [f"agent{n}" for n in range(6)]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def service(postgres: PostgresServer) -> AsyncIterator[HandoffService]:
    db = HandoffDatabase(postgres.url)
    await db.drop_tables()
    await db.create_tables()
    handoff = HandoffService(db, clock=lambda: T0)
    for agent in AGENTS:
        await handoff.save_agent(agent, agent, ["orders"], max_concurrent=2, online=True)
    yield handoff
    await db.dispose()


async def test_runs_on_postgres(service: HandoffService) -> None:
    assert service.db.dialect == "postgresql"


async def test_two_agents_accepting_at_once_one_wins(service: HandoffService) -> None:
    for round_ in range(5):
        outcome = await service.request_handoff(f"u{round_}", "rest", None, "orders")
        cid = outcome.conversation_id
        results = await asyncio.gather(
            *(service.accept(agent, cid) for agent in AGENTS), return_exceptions=True
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(error, AlreadyAccepted) for error in losers), losers
        info = await service.conversation(cid)
        assert (info.state, info.agent_id) == ("agent", winners[0].agent_id)
        await service.close(cid, info.agent_id, "resolved")


async def test_one_agent_accepting_many_at_once_respects_capacity(
    service: HandoffService,
) -> None:
    ids = [
        (await service.request_handoff(f"c{n}", "web", None, "orders")).conversation_id
        for n in range(6)
    ]
    results = await asyncio.gather(
        *(service.accept("agent0", cid) for cid in ids), return_exceptions=True
    )
    accepted = [r for r in results if not isinstance(r, BaseException)]
    assert len(accepted) == 2, results
    assert all(isinstance(r, AgentAtCapacity) for r in results if isinstance(r, BaseException))
    loads = {load.agent_id: load for load in await service.agent_load()}
    assert loads["agent0"].active == 2
    assert [e.position for e in await service.queue("orders")] == [1, 2, 3, 4]


async def test_idempotent_append_under_concurrency(service: HandoffService) -> None:
    cid = (await service.request_handoff("u1", "rest", None, "orders")).conversation_id
    await service.accept("agent1", cid)
    same = await asyncio.gather(
        *(service.append_message(cid, "user", "在吗？", "same-key") for _ in range(10))
    )
    assert len({m.id for m in same}) == 1 and sum(m.created for m in same) == 1
    distinct: list[StoredMessage] = await asyncio.gather(
        *(
            service.append_message(
                cid, "agent", f"回复 {n}", f"k{n}", now=T0 + timedelta(minutes=n)
            )
            for n in range(20)
        )
    )
    assert sorted(m.seq for m in distinct) == list(range(2, 22))
    stored = await service.messages(cid)
    assert [m.seq for m in stored] == list(range(1, 22))
    assert len({m.idempotency_key for m in stored}) == 21


async def test_concurrent_requests_open_one_episode(service: HandoffService) -> None:
    outcomes = await asyncio.gather(
        *(service.request_handoff("u1", "rest", None, "orders") for _ in range(8))
    )
    assert len({o.conversation_id for o in outcomes}) == 1
    assert {(o.status, o.position) for o in outcomes} == {("queued", 1)}


async def test_concurrent_route_retries_store_once(service: HandoffService) -> None:
    cid = (await service.request_handoff("u1", "wecom", None, "orders")).conversation_id
    await service.accept("agent2", cid)
    decisions = await asyncio.gather(
        *(service.route_user_message("u1", "wecom", "订单呢", "wx-msg-1") for _ in range(8))
    )
    assert {d.handler for d in decisions} == {"agent"}
    assert [m.text for m in await service.messages(cid)] == ["订单呢"]
