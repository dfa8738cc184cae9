"""Tickets on the real backend: creation, idempotency (also concurrent), reads."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from .backend_process import BackendProcess
from .rest import Api, error_of

pytestmark = pytest.mark.integration


def test_create_and_read_tickets(api: Api) -> None:
    anonymous = api.ok("POST", "/tickets", {"category": "other", "summary": " 想咨询发票 "}, 201)
    assert re.fullmatch(r"TK\d{8}", anonymous["ticket_id"])
    assert (anonymous["customer_id"], anonymous["channel"], anonymous["status"]) == (
        None,
        "",
        "open",
    )
    assert anonymous["summary"] == "想咨询发票"
    body = {
        "category": "refund",
        "summary": "退款没到账",
        "customer_id": "c001",
        "channel": "wechat",
    }
    mine = api.ok("POST", "/tickets", body, 201)
    assert (mine["customer_id"], mine["channel"], mine["category"]) == ("C001", "wechat", "refund")
    assert int(mine["ticket_id"][2:]) == int(anonymous["ticket_id"][2:]) + 1
    assert api.ok("GET", f"/tickets/{mine['ticket_id'].lower()}") == mine
    listed = api.ok("GET", "/customers/C001/tickets")["tickets"]
    assert [t["ticket_id"] for t in listed] == [mine["ticket_id"], "TK20240001"]
    assert [t["ticket_id"] for t in api.ok("GET", "/customers/C002/tickets")["tickets"]] == [
        "TK20240002"
    ]
    assert "idempotency_key" not in mine


def test_ticket_reads_refusals(api: Api) -> None:
    assert error_of(api.get("/tickets/TK20249999")) == (404, "ticket_not_found")
    assert error_of(api.get("/tickets/TK2024")) == (400, "invalid_ticket_id")
    assert error_of(api.get("/customers/C404/tickets")) == (404, "customer_not_found")
    seeded = api.ok("GET", "/tickets/TK20240002")
    assert (seeded["customer_id"], seeded["status"], seeded["channel"]) == (
        "C002",
        "open",
        "wechat",
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"category": "praise", "summary": "好"}, (422, "invalid_category")),
        ({"summary": "好"}, (422, "invalid_category")),
        ({"category": "order", "summary": ""}, (422, "invalid_summary")),
        ({"category": "order", "summary": "长" * 2001}, (422, "invalid_summary")),
        ({"category": "order", "summary": "好", "channel": "c" * 33}, (422, "invalid_channel")),
        ({"category": "order", "summary": "好", "customer_id": "C404"}, (404, "not_found")),
        ({"category": "order", "summary": "好", "customer_id": "x"}, (400, "invalid_customer_id")),
    ],
)
def test_ticket_refusals(api: Api, body: object, expected: tuple[int, str]) -> None:
    assert error_of(api.post("/tickets", body)) == expected
    assert len(api.ok("GET", "/customers/C001/tickets")["tickets"]) == 1


def test_idempotent_repeat_returns_the_first_ticket(api: Api) -> None:
    headers = {"Idempotency-Key": "conv-42:handoff:1"}
    body = {"category": "complaint", "summary": "快递员态度差", "customer_id": "C002"}
    first = api.post("/tickets", body, headers=headers)
    assert first.status_code == 201
    repeat = api.post("/tickets", {**body, "summary": "另一段话"}, headers=headers)
    assert repeat.status_code == 200 and repeat.json() == first.json()
    other = api.post("/tickets", body, headers={"Idempotency-Key": "conv-42:handoff:2"})
    assert other.status_code == 201 and other.json()["ticket_id"] != first.json()["ticket_id"]
    assert len(api.ok("GET", "/customers/C002/tickets")["tickets"]) == 3
    too_long = api.post("/tickets", body, headers={"Idempotency-Key": "k" * 129})
    assert error_of(too_long) == (400, "invalid_idempotency_key")


async def _post_many(backend: BackendProcess, keys: list[str | None]) -> list[httpx.Response]:
    headers = {"X-Api-Key": backend.api_key or ""}
    async with httpx.AsyncClient(base_url=backend.base_url, headers=headers, timeout=20) as http:
        return await asyncio.gather(
            *(
                http.post(
                    "/api/v1/tickets",
                    json={"category": "order", "summary": f"并发 {n}", "customer_id": "C001"},
                    headers={"Idempotency-Key": key} if key else None,
                )
                for n, key in enumerate(keys)
            )
        )


async def test_concurrent_repeats_open_one_ticket(api: Api, backend: BackendProcess) -> None:
    responses = await _post_many(backend, ["same-key"] * 10)
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["ticket_id"] for r in responses}) == 1
    assert len(api.ok("GET", "/customers/C001/tickets")["tickets"]) == 2


async def test_concurrent_tickets_get_distinct_ids(api: Api, backend: BackendProcess) -> None:
    responses = await _post_many(backend, [None] * 12)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    numbers = sorted(int(r.json()["ticket_id"][2:]) for r in responses)
    assert numbers == list(range(numbers[0], numbers[0] + 12))
