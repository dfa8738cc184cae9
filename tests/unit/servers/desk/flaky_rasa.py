"""A real HTTP server on 127.0.0.1 playing the Rasa conversation API the desk writes to.

It keeps each sender's tracker events, records what a customer would see (``bot`` events
appended with ``output_channel`` and the rating question of ``action_ask_rating``), and
fails on request: ``reject`` (503, nothing done), ``apply`` (done, then 503: the answer
is lost), ``hang`` (done, then no answer for a while), or :meth:`down` (connection
refused until :meth:`up`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

RATING_QUESTION = "请为本次服务打个分（1-5）"


@dataclass
class Failure:
    """Fail the next ``count`` requests whose path contains ``path`` (all when empty)."""

    count: int
    mode: str = "reject"  # reject | apply | hang
    path: str = ""


class FlakyRasa:
    """Rasa's ``tracker/events``, ``execute`` and ``tracker`` routes with injected failures."""

    def __init__(self, hang_seconds: float = 5.0) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.shown: list[tuple[str, str]] = []  # (sender, text) the customer saw, in order
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.tokens: list[str | None] = []  # the ``token`` query parameter of each request
        self.failures: list[Failure] = []
        self.hang_seconds = hang_seconds
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, count: int, mode: str = "reject", path: str = "") -> None:
        self.failures.append(Failure(count, mode, path))

    def texts(self, sender: str) -> list[str]:
        """What ``sender`` saw, in order."""
        return [text for who, text in self.shown if who == sender]

    def marked(self, key: str) -> list[dict[str, Any]]:
        """The events carrying the outbox ``key``."""
        return [
            event
            for events in self.events.values()
            for event in events
            if (event.get("metadata") or {}).get("zhike_outbox_key") == key
        ]

    async def start(self) -> None:
        @web.middleware
        async def record_token(request: web.Request, handler: Any) -> web.StreamResponse:
            self.tokens.append(request.query.get("token"))
            response: web.StreamResponse = await handler(request)
            return response

        app = web.Application(middlewares=[record_token])
        app.router.add_post("/conversations/{sender}/tracker/events", self._append)
        app.router.add_post("/conversations/{sender}/execute", self._execute)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        await self.up()

    async def up(self) -> None:
        """Listens (again, on the same port)."""
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[-1][1]

    async def down(self) -> None:
        """Stops listening: connections are refused until :meth:`up`."""
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _failure(self, path: str) -> str | None:
        for failure in self.failures:
            if failure.count > 0 and failure.path in path:
                failure.count -= 1
                return failure.mode
        return None

    async def _answer(self, mode: str | None, applied: bool) -> web.Response:
        if mode == "hang" and applied:
            await asyncio.sleep(self.hang_seconds)
        if mode is not None:
            return web.json_response({"error": "unavailable"}, status=503)
        return web.json_response({"ok": True})

    async def _append(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?")[0]
        self.requests.append(("POST", path))
        mode = self._failure(path)
        if mode == "reject":
            return await self._answer(mode, applied=False)
        sender = request.match_info["sender"]
        body = json.loads(await request.read())
        for event in body:
            self.events.setdefault(sender, []).append(event)
            if event.get("event") == "bot" and request.query.get("output_channel"):
                self.shown.append((sender, event["text"]))
        return await self._answer(mode, applied=True)

    async def _execute(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?")[0]
        self.requests.append(("POST", path))
        mode = self._failure(path)
        if mode == "reject":
            return await self._answer(mode, applied=False)
        sender = request.match_info["sender"]
        name = json.loads(await request.read())["name"]
        events = self.events.setdefault(sender, [])
        events.append({"event": "action", "name": name})
        events.append({"event": "bot", "text": RATING_QUESTION})
        self.shown.append((sender, RATING_QUESTION))
        return await self._answer(mode, applied=True)

    async def _tracker(self, request: web.Request) -> web.Response:
        path = request.raw_path.split("?")[0]
        self.requests.append(("GET", path))
        if self._failure(path) is not None:
            return web.json_response({"error": "unavailable"}, status=503)
        sender = request.match_info["sender"]
        return web.json_response({"sender_id": sender, "events": self.events.get(sender, [])})


async def eventually(check: Any, timeout: float = 5.0, interval: float = 0.02) -> None:
    """Waits until ``check()`` is true (raises AssertionError after ``timeout`` s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        await asyncio.sleep(interval)
