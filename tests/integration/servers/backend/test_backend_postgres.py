"""The backend on a real PostgreSQL server (asyncpg): reads, writes, idempotency, concurrency.

Starts a throw-away server from the system's PostgreSQL binaries (Debian's ``postgresql``
package; ``scripts/install-system-packages.sh`` installs it) and runs the backend process
with ``ZHIKE_BACKEND_DB_URL=postgresql+asyncpg://...``. Skipped when the binaries are
absent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .backend_process import BackendProcess, start_backend
from .postgres_server import PostgresServer, postgres_or_skip
from .rest import Api, error_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API_KEY = "zhike-pg-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture(scope="module")
def pg_backend(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackendProcess]:
    process = start_backend(
        tmp_path_factory.mktemp("pg-backend"),
        api_key=API_KEY,
        faults=True,
        db_url=postgres.url,
        timeout=60,
    )
    yield process
    process.stop()


@pytest.fixture
def pg(pg_backend: BackendProcess) -> Iterator[Api]:
    with Api(pg_backend.base_url, API_KEY) as rest:
        rest.reset()
        yield rest


def test_backend_runs_on_postgres(pg_backend: BackendProcess, postgres: PostgresServer) -> None:
    assert "postgresql+asyncpg://zhike@127.0.0.1" in pg_backend.log()
    assert httpx.get(f"{pg_backend.base_url}/health").json()["database"] == "ok"
    assert Path(postgres.base, "data", "PG_VERSION").exists()


def test_reads(pg: Api) -> None:
    order = pg.ok("GET", "/orders/hp20240001")
    assert (order["customer_id"], order["status"]) == ("C001", "shipped")
    assert order["logistics"]["tracking_number"] == "SF1234567890"
    assert order["created_at"].endswith("+00:00")
    times = [event["time"] for event in order["logistics"]["events"]]
    assert times == sorted(times)
    assert pg.ok("GET", "/customers/C002")["name"] == "李娜"
    assert [o["order_id"] for o in pg.ok("GET", "/customers/C002/orders")["orders"]] == [
        "HP20240005"
    ]
    assert len(pg.ok("GET", "/customers/C001/lessons?limit=3")["lessons"]) == 3
    assert error_of(pg.get("/orders/HP20249999")) == (404, "order_not_found")


def test_cancel_and_refund(pg: Api) -> None:
    cancelled = pg.ok("POST", "/orders/HP20240003/cancel", {"customer_id": "C001"})
    assert cancelled["status"] == "cancelled"
    assert [(r["refund_id"], r["status"]) for r in cancelled["refunds"]] == [
        ("RF20240002", "completed")
    ]
    refund = pg.ok(
        "POST", "/orders/HP20240002/refunds", {"customer_id": "C001", "reason": "x"}, 201
    )
    assert refund["refund_id"] == "RF20240003"
    again = pg.post("/orders/HP20240002/refunds", {"customer_id": "C001", "reason": "x"})
    assert error_of(again) == (409, "refund_exists")
    foreign = pg.post("/orders/HP20240005/cancel", {"customer_id": "C001"})
    assert error_of(foreign) == (404, "not_found")
    assert pg.ok("GET", "/orders/HP20240005")["status"] == "shipped"


def test_ticket_idempotency(pg: Api) -> None:
    headers = {"Idempotency-Key": "pg-1"}
    body = {"category": "order", "summary": "查询", "customer_id": "C001", "channel": "web"}
    first = pg.post("/tickets", body, headers=headers)
    repeat = pg.post("/tickets", body, headers=headers)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert first.json() == repeat.json() and first.json()["ticket_id"] == "TK20240003"


def test_phone_lock_and_binding_codes(pg: Api) -> None:
    body = {"last4": "0000", "requester": "web:pg"}
    answers = [pg.ok("POST", "/orders/HP20240001/phone-checks", body) for _ in range(5)]
    assert answers[-1]["attempts_left"] == 0 and answers[-1]["locked_until"]
    right = pg.ok("POST", "/orders/HP20240001/phone-checks", {**body, "last4": "8001"})
    assert right["verified"] is False
    request = {"phone": "13900139002", "channel": "wechat", "channel_user_id": "o-pg"}
    assert pg.post("/bindings/codes", request).status_code == 202
    [code] = pg.codes("13900139002")
    assert pg.ok("POST", "/bindings", {**request, "code": code}, 201) == {"customer_id": "C002"}
    assert pg.ok("GET", "/bindings/wechat/o-pg")["customer_id"] == "C002"


async def _gather_posts(
    backend: BackendProcess, path: str, bodies: list[dict[str, object]], key: str | None = None
) -> list[httpx.Response]:
    headers = {"X-Api-Key": API_KEY}
    if key:
        headers["Idempotency-Key"] = key
    async with httpx.AsyncClient(base_url=backend.base_url, headers=headers, timeout=30) as http:
        return await asyncio.gather(*(http.post(f"/api/v1{path}", json=b) for b in bodies))


async def test_concurrent_id_allocation(pg: Api, pg_backend: BackendProcess) -> None:
    bodies: list[dict[str, object]] = [
        {"category": "other", "summary": f"并发 {n}", "customer_id": "C002"} for n in range(20)
    ]
    responses = await _gather_posts(pg_backend, "/tickets", bodies)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    numbers = sorted(int(r.json()["ticket_id"][2:]) for r in responses)
    assert numbers == list(range(20240003, 20240023))


async def test_concurrent_idempotent_repeats(pg: Api, pg_backend: BackendProcess) -> None:
    bodies: list[dict[str, object]] = [{"category": "other", "summary": "同一请求"}] * 10
    responses = await _gather_posts(pg_backend, "/tickets", bodies, key="pg-same")
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["ticket_id"] for r in responses}) == 1


async def test_concurrent_refunds_open_one(pg: Api, pg_backend: BackendProcess) -> None:
    bodies: list[dict[str, object]] = [{"customer_id": "C001", "reason": "并发"}] * 8
    responses = await _gather_posts(pg_backend, "/orders/HP20240003/refunds", bodies)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert len(pg.ok("GET", "/orders/HP20240003")["refunds"]) == 1


async def test_replicas_share_lockouts_and_code_limits(
    pg: Api, pg_backend: BackendProcess, postgres: PostgresServer, tmp_path: Path
) -> None:
    """Two backend processes on one database: a limit reached on one holds on the other."""
    replica = start_backend(
        tmp_path / "replica", api_key=API_KEY, faults=True, db_url=postgres.url, timeout=60
    )
    try:
        wrong = [
            {"last4": f"{n:04d}", "requester": f"web:r{n}", "client_address": "203.0.113.50"}
            for n in range(10)
        ]
        half = len(wrong) // 2
        answers = await _gather_posts(pg_backend, "/orders/HP20240001/phone-checks", wrong[:half])
        answers += await _gather_posts(replica, "/orders/HP20240001/phone-checks", wrong[half:])
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        right = [{"last4": "8001", "requester": "web:fresh"}]
        [locked] = await _gather_posts(pg_backend, "/orders/HP20240001/phone-checks", right)
        assert locked.json()["verified"] is False and locked.json()["attempts_left"] == 0

        codes = [
            {"phone": "13800138001", "channel": "wechat", "channel_user_id": f"o-{n}"}
            for n in range(6)
        ]
        first = _gather_posts(pg_backend, "/bindings/codes", codes[:3])
        second = _gather_posts(replica, "/bindings/codes", codes[3:])
        sent = [r for batch in await asyncio.gather(first, second) for r in batch]
        assert sorted(r.status_code for r in sent) == [202] + [429] * 5, [r.text for r in sent]
    finally:
        replica.stop()
