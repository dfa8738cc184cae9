"""Both adapters of the visit methods answer alike: in-process, and HTTP over a real socket.

The HTTP side talks to a small aiohttp server that runs the reference backend's own visit
services and serializers (the routes of ``zhike/servers/backend/api/visits.py``), so the
test checks the adapter's paths, bodies, parsing and error mapping against the real rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client import BackendClient, BackendError, BackendUnavailable
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.servers.backend import serializers_visits as doc
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import visit_changes, visits
from zhike.servers.backend.services.visit_slots import CHINA_TZ

from .backend_stub_server import free_port

NOW = datetime(2024, 12, 4, 2, 0, tzinfo=timezone.utc)
TODAY = NOW.astimezone(CHINA_TZ).date()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


async def _visit_server(db: Database) -> tuple[str, web.AppRunner]:
    async def answer(work: Callable[[AsyncSession], Awaitable[Any]], write: bool) -> web.Response:
        try:
            if write:
                return web.json_response(await db.run(work))
            async with db.session() as session:
                return web.json_response(await work(session))
        except ApiError as error:
            body = {"error": {"code": error.code, "message": error.message}}
            return web.json_response(body, status=error.status_code)

    async def options(request: web.Request) -> web.Response:
        order_id, customer = request.match_info["order_id"], request.query.get("customer_id", "")

        async def work(s: AsyncSession) -> Any:
            return doc.visit_options_json(
                await visits.visit_options(s, order_id, customer, now=NOW)
            )

        return await answer(work, False)

    async def book(request: web.Request) -> web.Response:
        body = await request.json()

        async def work(s: AsyncSession) -> Any:
            visit = await visits.book_visit(
                s,
                request.match_info["order_id"],
                body["customer_id"],
                body["kind"],
                body["date"],
                body["period"],
                item_position=body.get("item_position"),
                address=body.get("address"),
                phone=body.get("phone"),
                problem=body.get("problem") or "",
                paid=body.get("paid") is True,
                now=NOW,
            )
            return doc.visit_json(visit)

        return await answer(work, True)

    async def listing(request: web.Request) -> web.Response:
        customer, order_id = request.match_info["customer_id"], request.query.get("order_id")

        async def work(s: AsyncSession) -> Any:
            return doc.visits_json(await visits.list_visits(s, customer, order_id))

        return await answer(work, False)

    async def slot(request: web.Request) -> web.Response:
        body = await request.json()

        async def work(s: AsyncSession) -> Any:
            visit = await visit_changes.reschedule_visit(
                s, request.match_info["visit_id"], body["customer_id"], body["date"],
                body["period"], now=NOW,
            )  # fmt: skip
            return doc.visit_json(visit)

        return await answer(work, True)

    async def cancel(request: web.Request) -> web.Response:
        body = await request.json()

        async def work(s: AsyncSession) -> Any:
            visit = await visit_changes.cancel_visit(
                s, request.match_info["visit_id"], body["customer_id"], now=NOW
            )
            return doc.visit_json(visit)

        return await answer(work, True)

    app = web.Application()
    app.router.add_get("/api/v1/orders/{order_id}/visit-options", options)
    app.router.add_post("/api/v1/orders/{order_id}/visits", book)
    app.router.add_get("/api/v1/customers/{customer_id}/visits", listing)
    app.router.add_put("/api/v1/visits/{visit_id}/slot", slot)
    app.router.add_post("/api/v1/visits/{visit_id}/cancel", cancel)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return f"http://127.0.0.1:{port}", runner


@pytest.fixture(params=["local", "http"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[BackendClient]:
    if request.param == "local":
        local = InMemoryBackendClient(now=NOW)
        yield local
        await local.aclose()
        return
    db = Database("sqlite+aiosqlite://")
    await db.create_tables()
    await seed_if_empty(db, NOW)
    base_url, runner = await _visit_server(db)
    http = HttpBackendClient(base_url, timeout=5.0)
    yield http
    await http.aclose()
    await runner.cleanup()
    await db.dispose()


async def test_options_are_parsed(client: BackendClient) -> None:
    options = await client.visit_options("hp20241401", "C001")
    assert options.order_id == "HP20241401" and options.status == "delivered"
    assert options.phone == "13800138001" and options.address.startswith("上海市")
    [item] = options.items
    assert item.installable and item.in_warranty and item.install_visit_id is None
    assert options.earliest == day(1)
    assert options.free_slots[0].day == day(1) and options.free_slots[0].period == "am"
    assert "上午 9:00–12:00" in options.free_slots[0].label


async def test_book_change_cancel_and_list(client: BackendClient) -> None:
    visit = await client.book_visit("HP20241401", "C001", "install", day(1), "pm")
    assert visit.visit_id.startswith("SV") and visit.status == "booked"
    assert (visit.day, visit.period, visit.kind) == (day(1), "pm", "install")
    assert visit.created_at is not None and visit.created_at.tzinfo is not None
    moved = await client.reschedule_visit(visit.visit_id, "C001", day(2), "am")
    assert (moved.day, moved.period) == (day(2), "am")
    cancelled = await client.cancel_visit(visit.visit_id, "C001")
    assert cancelled.status == "cancelled"
    listed = await client.list_visits("C001", "HP20241402")
    assert [(v.visit_id, v.status, v.engineer) for v in listed] == [
        ("SV20240001", "assigned", "王建国")
    ]
    assert await client.list_visits("C002") == []


async def test_repair_with_a_new_contact_and_a_paid_one(client: BackendClient) -> None:
    visit = await client.book_visit(
        "HP20241405", "C001", "repair", day(2), "pm", problem="不制冷", phone="13912345678"
    )
    assert visit.kind == "repair" and visit.problem == "不制冷" and visit.phone == "13912345678"
    paid = await client.book_visit(
        "HP20241404", "C001", "repair", day(2), "pm", problem="没画面", paid=True
    )
    assert paid.paid


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda c: c.book_visit("HP20241403", "C001", "install", day(1), "am"), 409,
         "not_installable"),
        (lambda c: c.book_visit("HP20241404", "C001", "repair", day(1), "am", problem="坏了"),
         409, "out_of_warranty"),
        (lambda c: c.book_visit("HP20241401", "C001", "install", day(3), "am"), 409,
         "slot_full"),
        (lambda c: c.book_visit("HP20241401", "C002", "install", day(1), "am"), 404,
         "not_found"),
        (lambda c: c.visit_options("HP20241401", "C002"), 404, "not_found"),
        (lambda c: c.cancel_visit("SV20240001", "C002"), 404, "not_found"),
        (lambda c: c.reschedule_visit("SV20240002", "C001", day(2), "am"), 409,
         "visit_closed"),
        (lambda c: c.book_visit("HP20241401", "C001", "install", day(20), "am"), 422,
         "invalid_date"),
    ],
)  # fmt: skip
async def test_refusals_keep_their_code_and_message(
    client: BackendClient, call: Callable[[Any], Awaitable[Any]], status: int, code: str
) -> None:
    with pytest.raises(BackendError) as caught:
        await call(client)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message and not caught.value.message.isascii()


async def test_the_local_adapter_can_be_down() -> None:
    client = InMemoryBackendClient(now=NOW)
    client.unavailable = True
    with pytest.raises(BackendUnavailable):
        await client.list_visits("C001")
    await client.aclose()
