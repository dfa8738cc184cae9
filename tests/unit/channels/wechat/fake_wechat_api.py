"""A local HTTP server that imitates the 公众号 and WeCom APIs the channels call.

It listens on 127.0.0.1 (a free port) and serves ``GET /cgi-bin/token`` (公众号),
``GET /cgi-bin/gettoken`` (WeCom), ``POST /cgi-bin/message/custom/send`` and
``POST /cgi-bin/message/send``. Like WeChat, issuing a token invalidates the earlier
ones, and a call with an unknown token answers 40001. Tests can queue error codes
(``fail_next(45015)``), invalidate every token (another server fetched one) and slow
every answer down (``delay``).

Standalone, for an end-to-end test of a running stack (point ``ZHIKE_WECHAT_API_BASE_URL``
or ``ZHIKE_WECOM_API_BASE_URL`` at it)::

    .venv/bin/python -m tests.unit.channels.wechat.fake_wechat_api --port 8099

``GET /_fake/sent`` lists the accepted messages, ``GET /_fake/token_calls`` the token
requests, ``POST /_fake/fail?errcode=45015&times=1`` queues errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from aiohttp import web


class FakeWeChatApi:
    """Records token requests and sent messages; answers like WeChat would."""

    def __init__(self) -> None:
        self.token_calls: list[dict[str, str]] = []
        self.send_calls: list[dict[str, Any]] = []  # every attempt, with its token
        self.sent: list[dict[str, Any]] = []  # accepted messages (the JSON bodies)
        self.delay = 0.0
        self.expires_in = 7200
        self.token_errcode: int | None = None
        self._queued: list[int] = []
        self._valid_token: str | None = None
        self._issued = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._arrived = asyncio.Event()

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_get("/cgi-bin/gettoken", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_get("/_fake/sent", lambda _: web.json_response(self.sent))
        app.router.add_get("/_fake/token_calls", lambda _: web.json_response(self.token_calls))
        app.router.add_post("/_fake/fail", self._fail)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, errcode: int, times: int = 1) -> None:
        """The next ``times`` send calls answer ``errcode``."""
        self._queued += [errcode] * times

    def invalidate_tokens(self) -> None:
        """Every token issued so far stops working (as if another server got a new one)."""
        self._valid_token = None

    async def wait_for_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Waits until ``count`` messages were accepted."""

        async def arrived() -> None:
            while len(self.sent) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(arrived(), timeout)
        return self.sent

    async def _fail(self, request: web.Request) -> web.Response:
        self.fail_next(int(request.query["errcode"]), int(request.query.get("times", "1")))
        return web.json_response({"queued": self._queued})

    async def _token(self, request: web.Request) -> web.Response:
        self.token_calls.append({"path": request.path, **request.query})
        await asyncio.sleep(self.delay)
        if self.token_errcode is not None:
            return web.json_response({"errcode": self.token_errcode, "errmsg": "invalid secret"})
        self._issued += 1
        self._valid_token = f"TOKEN-{self._issued}"
        return web.json_response({"access_token": self._valid_token, "expires_in": self.expires_in})

    async def _send(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        token = request.query.get("access_token")
        self.send_calls.append({"path": request.path, "access_token": token, "body": body})
        await asyncio.sleep(self.delay)
        if self._queued:
            errcode = self._queued.pop(0)
            return web.json_response({"errcode": errcode, "errmsg": f"fake error {errcode}"})
        if token is None or token != self._valid_token:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.sent.append({"path": request.path, **body})
        self._arrived.set()
        return web.json_response({"errcode": 0, "errmsg": "ok"})


async def _serve(port: int) -> None:
    api = FakeWeChatApi()
    print(f"fake WeChat/WeCom API on {await api.start(port)}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    asyncio.run(_serve(parser.parse_args().port))
