"""A loopback app backend and helpers for the durable push tests (no HTTP mocks)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from zhike.channels.app.push import Delivery, PushConfig, PushDelivery, PushStoreSettings
from zhike.channels.app.push_store import PushStore

SECRET = "push-secret-" + "p" * 32
Rule = Callable[[dict[str, Any]], Awaitable[int]]


@dataclass
class Receiver:
    """The app backend: ``rule`` answers each push (default 200); every request is recorded."""

    url: str = ""
    rule: Rule | None = None
    requests: list[tuple[dict[str, Any], int]] = field(default_factory=list)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        return [payload for payload, status in self.requests if status == 200]

    def texts(self, customer: str) -> list[str]:
        return [p["message"]["text"] for p in self.accepted if p["customer_id"] == customer]

    async def wait_for(self, count: int, timeout: float = 5) -> None:
        async def enough() -> None:
            while len(self.requests) < count:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(enough(), timeout)


@asynccontextmanager
async def serve_receiver() -> AsyncIterator[Receiver]:
    """A :class:`Receiver` listening on a free loopback port until the block ends."""
    state = Receiver()

    async def handle(request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        status = await state.rule(payload) if state.rule else 200
        state.requests.append((payload, status))
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/push", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.url = f"http://127.0.0.1:{port}/push"
    try:
        yield state
    finally:
        await runner.cleanup()


class FakeSleep:
    """Records the waits instead of waiting (yielding once, like a real sleep)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


class Stuck:
    """A sleep that never ends: the process is waiting to retry when it stops."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waiting.set()
        await asyncio.Event().wait()


def pusher(
    url: str, db_url: str, sleep: Any = None, lease: float = 30.0, base_delay: float = 30
) -> PushDelivery:
    config = PushConfig(url, SECRET, max_attempts=4, base_delay=base_delay, jitter=0, timeout=2)
    store = PushStoreSettings(db_url, lease=lease, timeout=2)
    return PushDelivery(config, sleep=sleep or FakeSleep(), store=store)


def delivery(text: str, customer: str = "C001") -> Delivery:
    return Delivery(customer, f"app:{customer}", {"text": text})


async def states(db_url: str) -> dict[str, str]:
    store = PushStore(db_url)
    try:
        return await store.states()
    finally:
        await store.dispose()


async def crash(push: PushDelivery) -> None:
    """Ends ``push`` like a killed process: nothing released, nothing written."""
    assert push._keeper is not None
    tasks = [*push._workers.values(), push._keeper]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    journal = push._journal
    assert journal is not None and journal._store is not None
    await journal._store.dispose()
    if push._client is not None:
        await push._client.aclose()


async def answer(status: int) -> int:
    """A :data:`Rule` body that always answers ``status``."""
    return status
