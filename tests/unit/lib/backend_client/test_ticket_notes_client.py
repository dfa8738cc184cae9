"""Both adapters of ``add_ticket_note`` answer alike: in-process, and HTTP over a real socket.

The HTTP side talks to a small aiohttp server that runs the reference backend's own ticket
services and serializer (the routes of ``zhike/servers/backend/api/tickets.py``), so the
test checks the adapter's path, body, header, parsing and error mapping against the real
rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client import BackendClient, BackendError, Ticket, TicketsClient
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.lib.backend_client.parsing import ticket_from_json
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.serializers import ticket_json
from zhike.servers.backend.services import tickets

from .backend_stub_server import free_port

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


@dataclass
class Seen:
    """What the HTTP side received: ``(path, Idempotency-Key, body)`` of each note."""

    requests: list[tuple[str, str | None, Any]] = field(default_factory=list)


async def _ticket_server(db: Database, seen: Seen) -> tuple[str, web.AppRunner]:
    async def answer(work: Callable[[AsyncSession], Awaitable[Any]], status: int) -> web.Response:
        try:
            return web.json_response(await db.run(work), status=status)
        except ApiError as error:
            body = {"error": {"code": error.code, "message": error.message}}
            return web.json_response(body, status=error.status_code)

    async def create(request: web.Request) -> web.Response:
        body = await request.json()

        async def work(s: AsyncSession) -> Any:
            result = await tickets.create_ticket(
                s, body["category"], body["summary"], body.get("customer_id"),
                body.get("channel") or "", request.headers.get("Idempotency-Key"), now=NOW,
            )  # fmt: skip
            return ticket_json(result.ticket)

        return await answer(work, 201)

    async def add_note(request: web.Request) -> web.Response:
        body = await request.json()
        key = request.headers.get("Idempotency-Key")
        seen.requests.append((request.path, key, body))

        async def work(s: AsyncSession) -> Any:
            result = await tickets.append_note(
                s,
                request.match_info["ticket_id"],
                body.get("text"),
                body.get("customer_id"),
                key,
                now=NOW,
            )
            return ticket_json(result.ticket)

        return await answer(work, 201)

    app = web.Application()
    app.router.add_post("/api/v1/tickets", create)
    app.router.add_post("/api/v1/tickets/{ticket_id}/notes", add_note)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return f"http://127.0.0.1:{port}", runner


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture(params=["local", "http"])
async def client(request: pytest.FixtureRequest, seen: Seen) -> AsyncIterator[BackendClient]:
    if request.param == "local":
        local = InMemoryBackendClient(now=NOW)
        yield local
        await local.aclose()
        return
    db = Database("sqlite+aiosqlite://")
    await db.create_tables()
    await seed_if_empty(db, NOW)
    base_url, runner = await _ticket_server(db, seen)
    http = HttpBackendClient(base_url, timeout=5.0)
    yield http
    await http.aclose()
    await runner.cleanup()
    await db.dispose()


async def _complaint(client: BackendClient, customer_id: str | None = "C001") -> Ticket:
    return await client.create_ticket("complaint", "我要投诉快递员", customer_id, "web")


def test_both_adapters_offer_the_method() -> None:
    assert isinstance(InMemoryBackendClient(now=NOW), TicketsClient)
    assert isinstance(HttpBackendClient("http://127.0.0.1:9"), TicketsClient)


async def test_a_note_is_added_to_the_ticket(client: BackendClient) -> None:
    opened = await _complaint(client)
    assert opened.notes == ()
    noted = await client.add_ticket_note(opened.ticket_id.lower(), " 态度太差了 ", "c001")
    assert noted.ticket_id == opened.ticket_id and noted.notes == ("态度太差了",)
    assert noted.summary == "我要投诉快递员" and noted.updated_at == NOW
    again = await client.add_ticket_note(opened.ticket_id, "还把包裹扔在门口", "C001")
    assert again.notes == ("态度太差了", "还把包裹扔在门口")


async def test_an_anonymous_ticket_takes_notes_without_a_customer(client: BackendClient) -> None:
    opened = await _complaint(client, None)
    noted = await client.add_ticket_note(opened.ticket_id, "补充一下")
    assert noted.customer_id is None and noted.notes == ("补充一下",)


async def test_an_idempotent_repeat_adds_nothing(client: BackendClient) -> None:
    opened = await _complaint(client)
    first = await client.add_ticket_note(opened.ticket_id, "态度太差了", "C001", "conv-9:note:1")
    repeat = await client.add_ticket_note(opened.ticket_id, "别的话", "C001", "conv-9:note:1")
    assert repeat == first and repeat.notes == ("态度太差了",)


@pytest.mark.parametrize(
    ("ticket_id", "text", "customer_id", "status", "code"),
    [
        ("TK20240002", "补充", "C001", 404, "not_found"),  # C002's ticket
        ("TK20240002", "补充", None, 404, "not_found"),
        ("TK20249999", "补充", "C001", 404, "not_found"),
        ("TK20240001", "补充", "C001", 409, "ticket_closed"),
        ("TK20240002", "", "C002", 422, "invalid_note"),
        ("TK20240002", "长" * 501, "C002", 422, "invalid_note"),
        ("TK2024", "补充", "C001", 400, "invalid_ticket_id"),
    ],
)
async def test_refusals_keep_their_code_and_message(
    client: BackendClient,
    ticket_id: str,
    text: str,
    customer_id: str | None,
    status: int,
    code: str,
) -> None:
    with pytest.raises(BackendError) as caught:
        await client.add_ticket_note(ticket_id, text, customer_id)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message and not caught.value.message.isascii()


async def test_the_21st_note_is_too_many(client: BackendClient) -> None:
    opened = await _complaint(client)
    for number in range(20):
        noted = await client.add_ticket_note(opened.ticket_id, f"第 {number + 1} 条", "C001")
    assert len(noted.notes) == 20
    with pytest.raises(BackendError) as caught:
        await client.add_ticket_note(opened.ticket_id, "第 21 条", "C001")
    assert (caught.value.status, caught.value.code) == (409, "too_many_notes")


async def test_the_http_adapter_sends_path_body_and_key(seen: Seen) -> None:
    db = Database("sqlite+aiosqlite://")
    await db.create_tables()
    await seed_if_empty(db, NOW)
    base_url, runner = await _ticket_server(db, seen)
    try:
        async with HttpBackendClient(base_url, timeout=5.0) as client:
            await client.add_ticket_note("TK20240002", "补充", "C002", "conv-1:note:1")
            await client.add_ticket_note("TK20240002", "再补充", "C002")
            with pytest.raises(BackendError) as caught:
                await client.add_ticket_note("  ", "补充", "C002")
            assert caught.value.code == "invalid_ticket_id"
    finally:
        await runner.cleanup()
        await db.dispose()
    assert seen.requests == [
        ("/api/v1/tickets/TK20240002/notes", "conv-1:note:1",
         {"text": "补充", "customer_id": "C002"}),
        ("/api/v1/tickets/TK20240002/notes", None, {"text": "再补充", "customer_id": "C002"}),
    ]  # fmt: skip


async def test_the_in_process_adapter_logs_the_call_and_can_be_down() -> None:
    client = InMemoryBackendClient(now=NOW)
    await client.add_ticket_note("TK20240002", "补充", "C002")
    assert client.calls[-1] == ("add_ticket_note", "TK20240002")
    client.unavailable = True
    with pytest.raises(BackendError) as caught:
        await client.add_ticket_note("TK20240002", "补充", "C002")
    assert type(caught.value).__name__ == "BackendUnavailable"
    await client.aclose()


def test_notes_are_parsed_and_optional() -> None:
    document = {"ticket_id": "tk20240002", "category": "other", "summary": "x", "status": "open"}
    assert ticket_from_json(document).notes == ()
    assert ticket_from_json({**document, "notes": ["a", "b"]}).notes == ("a", "b")
    for bad in ("a", [1], {"a": 1}):
        with pytest.raises(BackendError) as caught:
            ticket_from_json({**document, "notes": bad})
        assert caught.value.code == "invalid_response"
