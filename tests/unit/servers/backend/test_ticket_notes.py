"""Customers' notes on tickets: the service rules, and the route over the real Sanic app."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Ticket, TicketNote
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.serializers import ticket_json
from zhike.servers.backend.services import return_disputes, tickets

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=3)
T = TypeVar("T")


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite://")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


async def refusal(db: Database, work: Callable[[AsyncSession], Awaitable[object]]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await db.run(work)
    return caught.value


def open_ticket(customer_id: str | None = "C001", key: str | None = None):
    async def work(session: AsyncSession) -> dict[str, Any]:
        result = await tickets.create_ticket(
            session, "complaint", "我要投诉快递员", customer_id, "web", key, now=NOW
        )
        return ticket_json(result.ticket)

    return work


def note(
    ticket_id: str,
    text: str = "态度太差了",
    customer_id: str | None = "C001",
    key: str | None = None,
    now: datetime = LATER,
):
    async def work(session: AsyncSession) -> dict[str, Any]:
        ticket = (
            await tickets.append_note(session, ticket_id, text, customer_id, key, now=now)
        ).ticket
        return ticket_json(ticket)

    return work


async def read(db: Database, ticket_id: str) -> dict[str, Any]:
    async with db.session() as session:
        ticket = await tickets.get_ticket(session, ticket_id)
        assert ticket is not None
        return ticket_json(ticket)


async def test_a_new_ticket_has_no_notes_and_a_note_is_appended(db: Database) -> None:
    opened = await db.run(open_ticket())
    assert opened["notes"] == []
    noted = await db.run(note(opened["ticket_id"], "  态度太差了  "))
    assert noted["notes"] == ["态度太差了"]
    assert noted["updated_at"] == LATER.isoformat() and noted["created_at"] == NOW.isoformat()
    assert (noted["summary"], noted["status"]) == ("我要投诉快递员", "open")
    again = await db.run(note(opened["ticket_id"].lower(), "还把包裹扔在门口", now=LATER))
    assert again["notes"] == ["态度太差了", "还把包裹扔在门口"]
    assert await read(db, opened["ticket_id"]) == again
    async with db.session() as session:
        [listed] = [
            ticket
            for ticket in await tickets.list_tickets(session, "C001")
            if ticket.id == opened["ticket_id"]
        ]
        assert ticket_json(listed)["notes"] == ["态度太差了", "还把包裹扔在门口"]


async def test_seeded_tickets_read_with_empty_notes(db: Database) -> None:
    assert (await read(db, "TK20240002"))["notes"] == []


async def test_another_customers_ticket_is_not_found(db: Database) -> None:
    opened = await db.run(open_ticket("C001"))
    for customer_id in ("C002", None, ""):
        error = await refusal(db, note(opened["ticket_id"], customer_id=customer_id))
        assert (error.status_code, error.code) == (404, "not_found")
    seeded = await refusal(db, note("TK20240002", customer_id="C001"))  # C002's
    assert (seeded.status_code, seeded.code) == (404, "not_found")
    assert (await read(db, opened["ticket_id"]))["notes"] == []


async def test_an_anonymous_ticket_takes_notes_from_its_proven_sender(db: Database) -> None:
    opened = await db.run(open_ticket(None))
    noted = await db.run(note(opened["ticket_id"], "补充一下", customer_id=None))
    assert noted["notes"] == ["补充一下"] and noted["customer_id"] is None
    bound = await db.run(note(opened["ticket_id"], "我登录了", customer_id="C002"))
    assert bound["notes"] == ["补充一下", "我登录了"] and bound["customer_id"] is None


@pytest.mark.parametrize(
    ("ticket_id", "customer_id", "expected"),
    [
        ("TK20249999", "C001", (404, "not_found")),
        ("TK2024", "C001", (400, "invalid_ticket_id")),
        ("", "C001", (400, "invalid_ticket_id")),
        ("TK20240002", "x", (400, "invalid_customer_id")),
    ],
)
async def test_unknown_and_malformed_ids(
    db: Database, ticket_id: str, customer_id: str, expected: tuple[int, str]
) -> None:
    error = await refusal(db, note(ticket_id, customer_id=customer_id))
    assert (error.status_code, error.code) == expected


@pytest.mark.parametrize("status", ["resolved", "closed"])
async def test_a_finished_ticket_takes_no_notes(db: Database, status: str) -> None:
    opened = await db.run(open_ticket())

    async def finish(session: AsyncSession) -> None:
        ticket = await session.get(Ticket, opened["ticket_id"])
        assert ticket is not None
        ticket.status = status

    await db.run(finish)
    error = await refusal(db, note(opened["ticket_id"]))
    assert (error.status_code, error.code, error.message) == (
        409,
        "ticket_closed",
        "工单已结束，无法补充",
    )
    seeded = await refusal(db, note("TK20240001"))  # C001's, closed
    assert (seeded.status_code, seeded.code) == (409, "ticket_closed")


@pytest.mark.parametrize("text", ["", "   ", "长" * 501, None, 42])
async def test_an_empty_or_long_note_is_invalid(db: Database, text: Any) -> None:
    opened = await db.run(open_ticket())
    error = await refusal(db, note(opened["ticket_id"], text))
    assert (error.status_code, error.code, error.message) == (
        422,
        "invalid_note",
        "补充内容应为 1-500 个字",
    )


async def test_a_note_of_500_characters_is_fine(db: Database) -> None:
    opened = await db.run(open_ticket())
    assert (await db.run(note(opened["ticket_id"], "长" * 500)))["notes"] == ["长" * 500]


async def test_an_idempotent_repeat_adds_nothing(db: Database) -> None:
    opened = await db.run(open_ticket())
    ticket_id = opened["ticket_id"]
    first = await db.run(note(ticket_id, "态度太差了", key="conv-1:note:1"))
    an_hour_later = LATER + timedelta(hours=1)
    repeat = await db.run(note(ticket_id, "另一段话", key="conv-1:note:1", now=an_hour_later))
    assert repeat == first and repeat["notes"] == ["态度太差了"]  # updated_at unchanged too

    async def added(session: AsyncSession) -> tickets.NoteResult:
        return await tickets.append_note(session, ticket_id, "x", "C001", " conv-1:note:1 ")

    assert not (await db.run(added)).added
    other = await db.run(note(ticket_id, "还有", key="conv-1:note:2"))
    assert other["notes"] == ["态度太差了", "还有"]
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(TicketNote))
    assert count == 2


async def test_idempotency_keys_are_checked(db: Database) -> None:
    opened = await db.run(open_ticket())
    bad = await refusal(db, note(opened["ticket_id"], key="键"))
    assert (bad.status_code, bad.code) == (400, "invalid_idempotency_key")
    await db.run(note(opened["ticket_id"], key="k-1"))
    second = await db.run(open_ticket())
    reused = await refusal(db, note(second["ticket_id"], key="k-1"))
    assert (reused.status_code, reused.code) == (409, "idempotency_key_reused")

    async def close(session: AsyncSession) -> None:
        ticket = await session.get(Ticket, opened["ticket_id"])
        assert ticket is not None
        ticket.status = "closed"

    await db.run(close)  # a repeat is still answered once the ticket closed: the first answer
    assert (await db.run(note(opened["ticket_id"], key="k-1")))["notes"] == ["态度太差了"]


async def test_the_21st_note_is_refused(db: Database) -> None:
    opened = await db.run(open_ticket())
    for number in range(tickets.NOTES_MAX):
        noted = await db.run(note(opened["ticket_id"], f"第 {number + 1} 条"))
    assert len(noted["notes"]) == 20 and noted["notes"][0] == "第 1 条"
    error = await refusal(db, note(opened["ticket_id"], "第 21 条"))
    assert (error.status_code, error.code) == (409, "too_many_notes")
    assert len((await read(db, opened["ticket_id"]))["notes"]) == 20


async def test_a_dispute_ticket_serialises_with_notes(db: Database) -> None:
    async def dispute(session: AsyncSession) -> dict[str, Any]:
        found = await return_disputes.open_dispute(
            session, "HP20241306", "C001", "质检说有使用痕迹", idempotency_key="d-1", now=NOW
        )
        return ticket_json(found.ticket)

    first = await db.run(dispute)
    assert first["notes"] == []
    await db.run(note(first["ticket_id"], "补充照片"))
    assert (await db.run(dispute))["notes"] == ["补充照片"]


# --- the route, over the real app (Sanic's ASGI test client) --------------------------

_APP_NUMBERS = itertools.count()
API_KEY = "ticket-notes-test-key-0123456789abcdef"
KEYED = {"X-Api-Key": API_KEY}


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[Any]:
    """The app on a database file (the ASGI test client starts the app for every request)."""
    sanic_testing = pytest.importorskip("sanic_testing")
    from zhike.servers.backend.app import create_app
    from zhike.servers.backend.config import Settings

    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'backend.db'}",
        api_key=API_KEY,
        app_name=f"zhike_ticket_notes_{next(_APP_NUMBERS)}",
    )
    app = create_app(settings)
    yield sanic_testing.TestManager(app).asgi_client


@pytest.mark.filterwarnings("ignore:You have set a listener")
async def test_the_route_adds_notes_and_maps_refusals(http: Any) -> None:
    _, created = await http.post(
        "/api/v1/tickets",
        json={"category": "complaint", "summary": "我要投诉快递员", "customer_id": "C001"},
        headers=KEYED,
    )
    ticket_id = created.json["ticket_id"]
    path = f"/api/v1/tickets/{ticket_id}/notes"
    headers = {**KEYED, "Idempotency-Key": "conv-7:note:1"}
    body = {"text": "态度太差了", "customer_id": "C001"}
    _, added = await http.post(path, json=body, headers=headers)
    assert added.status == 201 and added.json["notes"] == ["态度太差了"]
    _, repeat = await http.post(path, json={**body, "text": "别的"}, headers=headers)
    assert repeat.status == 200 and repeat.json == added.json
    _, other = await http.post(path, json={**body, "customer_id": "C002"}, headers=KEYED)
    assert (other.status, other.json["error"]["code"]) == (404, "not_found")
    _, empty = await http.post(path, json={**body, "text": " "}, headers=KEYED)
    assert (empty.status, empty.json["error"]["code"]) == (422, "invalid_note")
    _, closed = await http.post("/api/v1/tickets/TK20240001/notes", json=body, headers=KEYED)
    assert (closed.status, closed.json["error"]["code"]) == (409, "ticket_closed")
    _, bad = await http.post("/api/v1/tickets/TK1/notes", json=body, headers=KEYED)
    assert (bad.status, bad.json["error"]["code"]) == (400, "invalid_ticket_id")
    _, read_back = await http.get(f"/api/v1/tickets/{ticket_id}", headers=KEYED)
    assert read_back.json["notes"] == ["态度太差了"]
