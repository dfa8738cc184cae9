"""The background inspection job on a real PostgreSQL server, as several desk replicas run it.

The handoff, analytics and ``qa_*`` tables share one PostgreSQL database; each replica has
its own engine (like its own process) and the real wall clock. The lease row is locked with
``SELECT ... FOR UPDATE`` at READ COMMITTED, which SQLite (one writer at a time) never
tests. Conversations are made as in the SQLite tests (``tests/unit/lib/qa/test_jobs.py``):
Rasa-shaped events, the desk's handoffs, the consumer's handoff sync. Skipped without
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from tests.unit.analytics.conftest import T0
from tests.unit.lib.qa.test_jobs import Clock, World, bot_only, served
from zhike.analytics.db import AnalyticsDatabase
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.qa import jobs, store
from zhike.lib.qa.jobs import InspectionJob
from zhike.lib.qa.models import CLEAN, CONFIRMED, DISMISSED, PENDING
from zhike.lib.qa.store import QaDatabase

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def world(postgres: PostgresServer) -> AsyncIterator[World]:
    url = postgres.url
    for database in (QaDatabase(url), AnalyticsDatabase(url), HandoffDatabase(url)):
        await database.drop_tables()
        await database.dispose()
    clock = Clock()
    handoff_db = HandoffDatabase(url)
    await handoff_db.create_tables()  # the qa_* tables: each replica's first round
    handoff = HandoffService(handoff_db, clock=clock)
    await handoff.save_agent("a1", "王芳", ["orders"], online=True)
    analytics = AnalyticsDatabase(url)
    await analytics.create_tables()
    found = World(url, clock, handoff_db, handoff, analytics, [])
    yield found
    for db in found.opened:
        await db.dispose()
    await analytics.dispose()
    await handoff_db.dispose()


def count_inspections(job: InspectionJob, done: list[int], slow: float = 0.0) -> None:
    """Notes each conversation ``job`` inspected (bot-only ones as minus the session id)."""
    inspect, inspect_session = job.qa.inspect, job.qa.inspect_session

    async def counted(cid: int) -> Any:
        await asyncio.sleep(slow)  # a slow inspection: the other replica comes by
        record = await inspect(cid)
        done.append(cid)
        return record

    async def counted_session(found: Any) -> Any:
        await asyncio.sleep(slow)
        record = await inspect_session(found)
        done.append(-found.id)
        return record

    job.qa.inspect, job.qa.inspect_session = counted, counted_session  # type: ignore[method-assign,assignment]


async def marks(world: World) -> tuple[datetime, datetime]:
    """The stored handoff and session marks."""
    reader = world.replica("reader").qa
    found = await store.read_document(reader.db, jobs.LEASE_KEY) or {}
    return datetime.fromisoformat(found["handoffs"]), datetime.fromisoformat(found["sessions"])


async def finished(world: World, prefix: str, count: int, start: datetime) -> set[int]:
    """``count`` conversations an agent served, ``count`` bot-only ones; the consumer's sync."""
    expected: set[int] = set()
    for n in range(count):
        expected.add(await served(world, f"{prefix}s{n}", start + timedelta(minutes=n)))
        await world.events(bot_only(f"{prefix}b{n}", start + timedelta(minutes=n)))
    await world.sync()
    return expected


async def test_two_replicas_on_postgres_inspect_each_conversation_exactly_once(
    world: World,
) -> None:
    done: list[int] = []
    replicas = [world.replica("r1"), world.replica("r2")]
    for job in replicas:
        count_inspections(job, done, slow=0.01)
    served_ids = await finished(world, "a", 4, T0)
    world.clock.now = T0 + timedelta(hours=1)
    for _ in range(3):  # the first round also creates the qa_* tables and the lease row
        results = await asyncio.gather(*(job.round() for job in replicas))
        assert sum(result.held for result in results) == 1  # the other one stands by
    assert sorted(done) == sorted(set(done)) and len(done) == 8
    assert served_ids <= set(done) and sum(cid < 0 for cid in done) == 4
    first_marks = await marks(world)

    for job in replicas:
        await job.release()  # a rolling restart: either may take over
    served_ids = await finished(world, "b", 3, T0 + timedelta(hours=1))
    world.clock.now = T0 + timedelta(hours=2)
    for _ in range(3):
        results = await asyncio.gather(*(job.round() for job in replicas))
        assert sum(result.held for result in results) == 1
    assert sorted(done) == sorted(set(done)) and len(done) == 8 + 6
    assert served_ids <= set(done)
    later_marks = await marks(world)
    assert later_marks[0] > first_marks[0] and later_marks[1] > first_marks[1]

    statuses = (CLEAN, PENDING, CONFIRMED, DISMISSED)
    records = await store.find_records(world.replica("reader").qa.db, statuses, None, None, 100)
    assert sorted(record["conversation_id"] for record in records) == sorted(done)
    assert sum(record["status"] == PENDING for record in records) == 7  # every bot-only one


async def test_a_holder_that_stops_is_replaced_when_its_lease_expires(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    lease = 2.0
    monkeypatch.setattr(jobs, "LEASE_SECONDS", lease)
    done: list[int] = []
    first, second = world.replica("r1"), world.replica("r2")
    count_inspections(second, done)
    stuck = asyncio.Event()
    inspect = first.qa.inspect

    async def dies_on_the_third(cid: int) -> Any:
        if len(done) == 2:
            stuck.set()
            await asyncio.sleep(3600)  # the process hangs (killed below): no renewal
        record = await inspect(cid)
        done.append(cid)
        return record

    first.qa.inspect = dies_on_the_third  # type: ignore[method-assign,assignment]
    served_ids = await finished(world, "c", 5, T0)
    world.clock.now = T0 + timedelta(hours=1)
    holder = asyncio.create_task(first.round())
    await asyncio.wait_for(stuck.wait(), 60)
    stopped_at = time.monotonic()
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert not (await second.round()).held  # the lease is still the first one's

    while not (result := await second.round()).held:
        assert time.monotonic() - stopped_at < lease + 5
        await asyncio.sleep(0.05)
    waited = time.monotonic() - stopped_at
    assert lease / 2 <= waited <= lease + 5  # renewed at most a quarter lease before
    assert result.inspected == 3 + 5  # what the first one left; nothing twice
    assert sorted(done) == sorted(set(done)) and served_ids <= set(done)
    assert not await first.renew()  # the first one, back, finds it lost
    assert (await second.round()).inspected == 0
