"""Login floods on a real loopback port: limited per address, no lockout, bounded hashing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from zhike.servers.desk import DeskSettings
from zhike.servers.desk import auth as desk_auth
from zhike.servers.desk.clients import client_address, parse_networks
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.login_limits import HashSlots
from zhike.servers.desk.models import LoginFailure

from .conftest import Desk, build_desk, desk_settings
from .served import Served, served

ATTACKER = "203.0.113.7"
AGENT = "198.51.100.20"


@pytest.fixture
async def behind_proxy() -> AsyncIterator[tuple[Desk, Served]]:
    """The desk behind a reverse proxy on 127.0.0.1 that sets X-Forwarded-For."""
    desk = await build_desk(desk_settings(trusted_proxies=parse_networks("127.0.0.1")))
    try:
        async with served(desk) as server:
            yield desk, server
    finally:
        await desk.context.close()


async def _fail(server: Served, username: str, address: str | None = None) -> int:
    headers = {"x-forwarded-for": address} if address else {}
    return (await server.login(username, "wrong-password", **headers)).status


async def test_a_flooding_address_is_stopped_and_the_agent_still_logs_in(
    behind_proxy: tuple[Desk, Served],
) -> None:
    desk, server = behind_proxy
    for n in range(20):  # 20 different usernames: no per-account limit is reached
        assert await _fail(server, f"guess{n}", ATTACKER) == 401
    refused = await server.login("wangfang", **{"x-forwarded-for": ATTACKER})
    assert refused.status == 429  # even the right password, from that address
    assert refused.json["error"] == "too_many_attempts"
    assert 1 <= int(refused.headers["retry-after"]) <= 601
    assert (await server.login("wangfang", **{"x-forwarded-for": AGENT})).status == 200
    desk.clock.advance(minutes=10, seconds=1)
    assert await _fail(server, "guess0", ATTACKER) == 401  # the window has passed


async def test_guessing_an_agents_password_does_not_lock_the_agent_out(
    behind_proxy: tuple[Desk, Served],
) -> None:
    _, server = behind_proxy
    for _ in range(5):
        assert await _fail(server, "wangfang", ATTACKER) == 401
    assert await _fail(server, "wangfang", ATTACKER) == 429
    assert (await server.login("wangfang", **{"x-forwarded-for": AGENT})).status == 200
    assert await _fail(server, "wangfang", ATTACKER) == 429  # that did not reset the attacker


async def test_guessing_from_many_addresses_is_capped_per_account() -> None:
    settings = desk_settings(
        trusted_proxies=parse_networks("127.0.0.1"), login_account_max_failures=8
    )
    desk = await build_desk(settings)
    try:
        async with served(desk) as server:
            statuses = [await _fail(server, "wangfang", f"192.0.2.{n}") for n in range(1, 12)]
            other = await server.login("chenjing", **{"x-forwarded-for": "192.0.2.1"})
    finally:
        await desk.context.close()
    assert statuses == [401] * 8 + [429] * 3
    assert other.status == 200  # other accounts, and those addresses, are not affected


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(desk: Desk) -> None:
    async with served(desk) as server:
        for n in range(20):
            assert await _fail(server, f"guess{n}", f"10.0.0.{n}") == 401
        assert await _fail(server, "guess99", "10.9.9.9") == 429  # all counted as the peer


async def test_password_checks_run_off_the_loop_a_few_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running, most = 0, 0
    lock = threading.Lock()
    real_check = desk_auth.check_password

    def slow_check(password: str, stored: str | None) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.3)  # blocks its thread, not the event loop
        with lock:
            running -= 1
        return real_check(password, stored)

    monkeypatch.setattr(desk_auth, "check_password", slow_check)
    desk = await build_desk(
        desk_settings(
            trusted_proxies=parse_networks("127.0.0.1"), login_hash_slots=2, login_hash_wait=0.1
        )
    )
    try:
        async with served(desk) as server:
            flood = [
                asyncio.ensure_future(_fail(server, f"user{n}", f"192.0.2.{n}"))
                for n in range(1, 9)
            ]
            await asyncio.sleep(0.1)
            async with httpx.AsyncClient() as client:
                started = time.monotonic()
                health = await client.get(f"{server.url}/health")
                waited = time.monotonic() - started
            assert health.status_code == 200
            assert waited < 1.0  # the loop answers while the password checks run (2.4 s)
            statuses = await asyncio.gather(*flood)
            busy = await server.login("ghost", "x", **{"x-forwarded-for": "192.0.2.99"})
        async with desk.context.auth.db.session() as session:
            counted = await session.scalar(select(func.count(LoginFailure.id)))
    finally:
        await desk.context.close()
    assert most == 2
    assert statuses.count(401) >= 2 and statuses.count(503) >= 4, statuses
    assert busy.status in (401, 503)
    # a login refused for lack of a slot was not counted as a failure
    assert counted == statuses.count(401) + (busy.status == 401)


def test_busy_answers_say_when_to_retry() -> None:
    slots = HashSlots(1, 0.01)

    async def scenario() -> Any:
        first = asyncio.ensure_future(slots.run(time.sleep, 0.2))
        await asyncio.sleep(0.02)
        with pytest.raises(DeskError) as busy:
            await slots.run(time.sleep, 0)
        await first
        await slots.run(time.sleep, 0)  # free again
        slots.close()
        return busy.value

    error = asyncio.run(scenario())
    assert (error.status_code, error.code, error.headers) == (
        503,
        "login_busy",
        {"Retry-After": "1"},
    )


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, "", "203.0.113.7"),
        ("203.0.113.7", "1.2.3.4", "", "203.0.113.7"),  # not a trusted proxy
        ("10.0.0.1", "1.2.3.4, 5.6.7.8", "10.0.0.0/8", "5.6.7.8"),
        ("10.0.0.1", "1.2.3.4, 10.0.0.2", "10.0.0.0/8", "1.2.3.4"),  # two proxies
        ("10.0.0.1", "spoofed, 5.6.7.8", "10.0.0.0/8", "5.6.7.8"),
        ("10.0.0.1", "garbage", "10.0.0.0/8", "10.0.0.1"),
        ("2001:db8::1", None, "", "2001:db8::/64"),
        ("::ffff:203.0.113.7", None, "", "203.0.113.7"),
        ("", None, "", "unknown"),
    ],
)
def test_client_addresses(peer: str, forwarded: str | None, trusted: str, expected: str) -> None:
    assert client_address(peer, forwarded, parse_networks(trusted)) == expected


def test_trusted_proxies_come_from_the_environment() -> None:
    settings = DeskSettings.from_env({"ZHIKE_DESK_TRUSTED_PROXIES": "10.0.0.0/8, ::1"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "::1/128"]
    assert DeskSettings.from_env({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="ZHIKE_DESK_TRUSTED_PROXIES"):
        DeskSettings.from_env({"ZHIKE_DESK_TRUSTED_PROXIES": "proxy.local"})
    assert desk_settings().login_address_window == timedelta(minutes=10)
