"""Order phone checks cannot be enumerated by rotating sender ids or orders.

Wrong last-4 tries count per requester (5), per order across all requesters (10 in 15
minutes) and per client address (30 in 15 minutes), in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from zhike.servers.backend.db import Database
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import identity

from .rest import Api, error_of

pytestmark = pytest.mark.integration

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


def check(api: Api, order_id: str, last4: str, requester: str, address: str | None = None) -> dict:
    body = {"last4": last4, "requester": requester}
    if address is not None:
        body["client_address"] = address
    return api.ok("POST", f"/orders/{order_id}/phone-checks", body)  # type: ignore[no-any-return]


def test_rotating_senders_lock_the_order_for_everyone(api: Api) -> None:
    wrong = [check(api, "HP20240001", f"{n:04d}", f"web:rotating-{n}") for n in range(10)]
    assert [answer["verified"] for answer in wrong] == [False] * 10
    assert [answer["attempts_left"] for answer in wrong[7:]] == [2, 1, 0]
    locked = check(api, "HP20240001", "8001", "web:fresh-sender")
    assert locked["verified"] is False and locked["attempts_left"] == 0
    until = datetime.fromisoformat(str(locked["locked_until"]))
    assert timedelta(minutes=14) < until - datetime.now(timezone.utc) <= timedelta(minutes=15)
    # the 2,000-session attack gets nowhere: the right digits are refused to every sender
    assert all(
        not check(api, "HP20240001", "8001", f"web:attacker-{n}")["verified"] for n in range(20)
    )
    # other orders are not affected, and neither is the owner's own access
    assert check(api, "HP20240002", "8001", "web:fresh-sender")["verified"] is True
    orders = api.ok("GET", "/customers/C001/orders")["orders"]
    assert "HP20240001" in [order["order_id"] for order in orders]
    assert api.ok("GET", "/orders/HP20240001")["order_id"] == "HP20240001"


def test_one_client_address_is_locked_out_across_orders_and_senders(api: Api) -> None:
    attacker = "203.0.113.7"
    for n in range(30):
        answer = check(api, f"HP2025{n:04d}", "0000", f"web:probe-{n}", attacker)
    assert answer["attempts_left"] == 0 and answer["locked_until"] is not None
    refused = check(api, "HP20240005", "9002", "web:another", attacker)
    assert refused["verified"] is False and refused["attempts_left"] == 0
    assert check(api, "HP20240005", "9002", "web:another", "198.51.100.1")["verified"] is True
    assert check(api, "HP20240005", "9002", "web:no-address")["verified"] is True


def test_ipv6_addresses_of_one_network_count_together(api: Api) -> None:
    for n in range(30):
        check(api, f"HP2026{n:04d}", "0000", f"web:v6-{n}", f"2001:db8:1:2::{n + 1:x}")
    assert check(api, "HP20240005", "9002", "web:v6", "2001:db8:1:2:ffff::1")["verified"] is False
    assert check(api, "HP20240005", "9002", "web:v6", "2001:db8:1:3::1")["verified"] is True


@pytest.mark.parametrize("address", ["not-an-ip", "1.2.3.4.5", 1234, "x" * 65])
def test_a_malformed_client_address_is_refused(api: Api, address: object) -> None:
    body = {"last4": "8001", "requester": "web:a", "client_address": address}
    response = api.post("/orders/HP20240001/phone-checks", body)
    assert error_of(response) == (422, "invalid_client_address")


def test_the_old_request_shape_still_works(api: Api) -> None:
    for address in (None, ""):
        body = {"last4": "8001", "requester": "web:a", "client_address": address}
        assert api.ok("POST", "/orders/HP20240001/phone-checks", body)["verified"] is True


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/lockouts.db")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


async def _check(
    db: Database, last4: str, requester: str, at: datetime, order_id: str = "HP20240001"
) -> identity.PhoneCheckResult:
    return await db.run(lambda s: identity.check_order_phone(s, order_id, last4, requester, now=at))


async def test_the_order_count_is_per_window_and_the_lock_lasts_fifteen_minutes(
    db: Database,
) -> None:
    for n in range(9):  # 9 wrong tries, then the window ends
        await _check(db, "0000", f"web:s{n}", NOW + timedelta(minutes=n))
    later = NOW + timedelta(minutes=15)
    first_of_new_window = await _check(db, "0000", "web:t0", later)
    assert first_of_new_window.attempts_left == 4  # the requester's 5, not the order's
    for n in range(1, 10):
        result = await _check(db, "0000", f"web:t{n}", later + timedelta(seconds=n))
    locked_at = later + timedelta(seconds=9)
    assert result == identity.PhoneCheckResult(False, 0, locked_at + timedelta(minutes=15))
    still = await _check(db, "8001", "web:u", locked_at + timedelta(minutes=14, seconds=59))
    assert (still.verified, still.attempts_left) == (False, 0)
    free = await _check(db, "8001", "web:u", locked_at + timedelta(minutes=15))
    assert free.verified is True


async def test_enumerating_all_combinations_with_fresh_senders_fails(db: Database) -> None:
    found = []
    for n in range(200):  # 200 fresh senders within a few minutes, digits in order
        at = NOW + timedelta(seconds=n)
        result = await _check(db, f"{(7990 + n) % 10000:04d}", f"web:bot-{n}", at)
        if result.verified:
            found.append(n)
    assert found == []  # the right answer (8001, the 12th try) came after the order locked
