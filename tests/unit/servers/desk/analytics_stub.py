"""A test-only stand-in for the desk's analytics routes, in front of a real desk.

:func:`serve_stub` listens on its own loopback port: ``/api/desk/v1/analytics/{summary,trend,
breakdown,top,export/...}`` are answered from fixed sample data in the analytics API's
contract (or as missing, empty or failing, by :attr:`AnalyticsStub.mode`); every other
request (the page, login, supervisor routes, KPI targets) is passed to the real desk. Never
shipped: the dashboard's browser tests use it while the real analytics routes are built.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request
from sanic.response import HTTPResponse, json, text

from zhike.tools.stack import free_port

ANALYTICS = "/api/desk/v1/analytics/"
STUBBED = ("summary", "trend", "breakdown", "top", "export/")
HOP_HEADERS = {
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "content-encoding",
    "accept-encoding",
    "keep-alive",
}

SUMMARY = {
    "conversations": 1280,
    "messages": 9120,
    "bot_resolved": 832,
    "handed_off": 358,
    "abandoned": 90,
    "queue_abandoned": 12,
    "containment_rate": 0.65,
    "handoff_rate": 0.28,
    "abandonment_rate": 0.07,
    "queue_abandonment_rate": 0.04,
    "fallback_rate": 0.12,
    "knowledge_coverage": 0.81,
    "csat_score": 0.92,
    "csat_responses": 210,
    "csat_response_rate": 0.59,
    "avg_first_response_s": 65,
    "avg_agent_reply_s": 42,
    "mtta_s": 38,
    "avg_resolution_s": 415,
    "by_channel": {"web": {"conversations": 900}, "wecom": {"conversations": 380}},
}
TREND_POINTS = [
    {
        "start": f"2026-11-{day:02d}T00:00:00+08:00",
        "conversations": 150 + 10 * day,
        "bot_resolved": 100 + 5 * day,
        "handed_off": 40 + day,
        "containment_rate": 0.6 + day / 100,
        "handoff_rate": 0.3 - day / 200,
        "fallback_rate": 0.1,
        "csat_score": None if day == 3 else 0.9,
        "avg_first_response_s": 50 + day,
    }
    for day in range(1, 8)
]
BREAKDOWN = {
    "channel": [
        {"key": "web", "label": "网页", "conversations": 900, "containment_rate": 0.7},
        {"key": "wecom", "label": "企业微信", "conversations": 380, "containment_rate": 0.5},
    ],
    "intent": [
        {"key": "query_order", "label": "查询订单", "conversations": 420, "handoff_rate": 0.2},
        {"key": "refund", "label": "申请退款", "conversations": 310, "handoff_rate": 0.4},
        {"key": "course_info", "label": "课程咨询", "conversations": 150, "handoff_rate": 0.1},
    ],
}
TOP = {
    "intents": [
        {"key": "query_order", "label": "查询订单", "count": 420},
        {"key": "refund", "label": "申请退款", "count": 310},
    ],
    "unanswered": [
        {"key": "q1", "label": "你们周末发货吗", "count": 17},
        {"key": "q2", "label": "我的手机号13812345678收不到验证码", "count": 5},
    ],
}


@dataclass
class AnalyticsStub:
    """What the stub answers: ``sample`` data, ``empty`` data, ``missing`` (404) or ``broken``."""

    desk_url: str
    mode: str = "sample"
    requests: list[str] = field(default_factory=list)  # the analytics URLs asked for

    def answer(self, request: Request, name: str) -> HTTPResponse:
        """The stubbed answer of ``/analytics/<name>``."""
        self.requests.append(request.path + "?" + request.query_string)
        if self.mode == "missing":
            return json({"error": "not_found", "message": "no such route"}, status=404)
        if self.mode == "broken":
            return json({"error": "internal_error", "message": "boom"}, status=500)
        empty = self.mode == "empty"
        args = request.args
        if name.startswith("export/"):
            return text("date,conversations\n2026-11-01,160\n", content_type="text/csv")
        if name == "summary":
            since, until = args.get("since", ""), args.get("until", "")
            base = {key: None for key in SUMMARY} | {"conversations": 0} if empty else SUMMARY
            return json({"since": since, "until": until, **base})
        if name == "trend":
            points = [] if empty else TREND_POINTS
            return json({"bucket": args.get("bucket", "day"), "points": points})
        if name == "breakdown":
            by = args.get("by", "channel")
            return json({"by": by, "rows": [] if empty else BREAKDOWN.get(by, [])})
        kind = args.get("kind", "intents")
        return json({"kind": kind, "rows": [] if empty else TOP.get(kind, [])})


def _stubbed(path: str) -> str | None:
    if not path.startswith(ANALYTICS):
        return None
    name = path[len(ANALYTICS) :]
    return name if name.startswith(STUBBED) else None


@asynccontextmanager
async def serve_stub(desk_url: str) -> AsyncIterator[tuple[str, AnalyticsStub]]:
    """Serves the stub in front of the desk at ``desk_url``: ``(its url, the stub)``."""
    stub = AnalyticsStub(desk_url)
    app = Sanic(f"analytics_stub_{uuid.uuid4().hex}", configure_logging=False)

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def anything(request: Request, path: str) -> HTTPResponse:
        name = _stubbed(request.path)
        if name is not None and request.method == "GET":
            return stub.answer(request, name)
        return await _forward(desk_url, request)

    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}", stub
    finally:
        server.close()
        await server.wait_closed()


async def _forward(desk_url: str, request: Request) -> HTTPResponse:
    """The desk's answer to ``request``, headers (several Set-Cookie too) included.

    A new client each time: a shared one would keep one browser's session cookie and send
    it with another browser's requests.
    """
    sent = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_HEADERS]
    url = request.path + (f"?{request.query_string}" if request.query_string else "")
    async with httpx.AsyncClient(base_url=desk_url, timeout=10) as client:
        answer = await client.request(request.method, url, headers=sent, content=request.body)
    headers: Any = Header(
        [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in HOP_HEADERS]
    )
    return HTTPResponse(answer.content, status=answer.status_code, headers=headers)
