"""The desk app of a test served on a real loopback port, with a raw HTTP client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from zhike.servers.desk.api_session import SESSION_COOKIE
from zhike.tools.stack import free_port

from .conftest import API, PASSWORD, Desk


@dataclass
class Answer:
    """An HTTP answer as a client sees it."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Served:
    """A desk listening on 127.0.0.1, and who is logged in."""

    url: str
    port: int
    cookies: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (token, csrf)

    async def request(
        self,
        method: str,
        path: str,
        user: str | None = None,
        body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request with ``user``'s cookie and CSRF token (JSON ``body`` or raw bytes)."""
        sent = {"content-type": "application/json"}
        if user is not None:
            token, csrf = self.cookies[user]
            sent.update({"cookie": f"{SESSION_COOKIE}={token}", "x-csrf-token": csrf})
        sent.update(headers or {})
        if content is None and body is not None:
            content = json.dumps(body).encode()
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.request(
                method, self.url + API + path, content=content, headers=sent
            )
        return Answer(response.status_code, dict(response.headers), response.content)

    async def login(self, username: str, password: str = PASSWORD, **headers: str) -> Answer:
        answer = await self.request(
            "POST",
            "/login",
            body={"username": username, "password": password},
            headers=headers or None,
        )
        if answer.status == 200:
            token = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1].strip('"')
            self.cookies[username] = (token, answer.json["csrf_token"])
        return answer

    async def raw(self, data: bytes) -> bytes:
        """Sends ``data`` as is on a new connection; the whole answer (until closed)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(data)
            await writer.drain()
            return await asyncio.wait_for(reader.read(1 << 20), 10)
        finally:
            writer.close()


@asynccontextmanager
async def served(desk: Desk) -> AsyncIterator[Served]:
    """Serves ``desk.app`` on a free loopback port until the block ends."""
    port = free_port()
    server = await desk.app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield Served(f"http://127.0.0.1:{port}", port)
    finally:
        server.close()
        await server.wait_closed()
