"""A tiny aiohttp server on 127.0.0.1 that misbehaves on purpose (real sockets, no mocks)."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SAMPLE_ORDER: dict[str, Any] = {
    "order_id": "HP20240001",
    "customer_id": "C001",
    "status": "shipped",
    "amount_fen": 143880,
    "currency": "CNY",
    "items": [
        {"sku": "RM-1", "name": "Redmi Note 13 Pro 手机", "quantity": 1, "price_fen": 139900},
        {"sku": "GL-2", "name": "钢化膜", "quantity": 2, "price_fen": 1990},
    ],
    "recipient": "张伟",
    "phone": "13800138001",
    "shipping_address": "上海市浦东新区张江镇碧波路 690 弄 8 号",
    "created_at": "2024-11-20T02:00:00+00:00",
    "updated_at": "2024-11-21T02:00:00Z",
    "logistics": {
        "order_id": "HP20240001",
        "courier": "顺丰",
        "courier_code": "SF",
        "tracking_number": "SF1234567890",
        "status": "in_transit",
        "eta": "2024-11-23T10:00:00+08:00",
        "events": [
            {"time": "2024-11-21T08:00:00+00:00", "location": "上海市", "description": "已到达"},
            {"time": "2024-11-20T08:00:00+00:00", "location": "深圳市", "description": "已揽收"},
        ],
    },
    "refunds": [],
}
SAMPLE_CUSTOMER = {"customer_id": "C001", "name": "张伟", "phone": "13800138001", "vip": True}


def error_body(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)


@dataclass
class StubServer:
    base_url: str
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    bodies_seen: list[dict[str, Any]] = field(default_factory=list)
    legacy_codes: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_stub_server() -> tuple[StubServer, web.AppRunner]:
    """Starts the stub on a free port; stop it with ``runner.cleanup()``."""
    state = StubServer(base_url="")

    async def order(request: web.Request) -> web.Response:
        state.headers_seen.append(dict(request.headers))
        order_id = request.match_info["order_id"]
        if order_id == "HP20240001":
            return web.json_response(SAMPLE_ORDER)
        if order_id == "HP20240400":
            return web.Response(
                status=400,
                content_type="application/json",
                text=error_body("invalid_order_id", "订单号格式不正确"),
            )
        if order_id == "HP20240401":
            return web.Response(
                status=401,
                content_type="application/json",
                text=error_body("unauthorized", "缺少或错误的 API Key"),
            )
        if order_id == "HP20240404":
            return web.Response(
                status=404,
                content_type="application/json",
                text=error_body("route_not_found", "Requested URL not found"),
            )
        if order_id == "HP20240500":
            return web.Response(
                status=500,
                content_type="application/json",
                text=error_body("internal_error", "服务器内部错误"),
            )
        if order_id == "HP20240503":
            return web.Response(status=503, text="upstream down")
        if order_id == "HP20240777":  # slow: answers only when released or after 5 s
            try:
                await asyncio.wait_for(state.release.wait(), timeout=5)
            except asyncio.TimeoutError:
                pass
            return web.json_response(SAMPLE_ORDER)
        if order_id == "HP20240429":
            return web.Response(
                status=429,
                content_type="application/json",
                headers={"Retry-After": "42"},
                text=error_body("too_many_requests", "请求过于频繁"),
            )
        if order_id == "HP20240430":  # 429 without Retry-After
            return web.Response(
                status=429,
                content_type="application/json",
                text=error_body("too_many_requests", "请求过于频繁"),
            )
        if order_id == "HP20240888":
            return web.Response(status=200, content_type="application/json", text="{not json")
        if order_id == "HP20240999":
            return web.json_response({"unexpected": True})
        return web.Response(
            status=404,
            content_type="application/json",
            text=error_body("order_not_found", f"订单 {order_id} 不存在"),
        )

    async def logistics(request: web.Request) -> web.Response:
        if request.match_info["order_id"] == "HP20240001":
            return web.json_response(SAMPLE_ORDER["logistics"])
        return web.Response(
            status=404,
            content_type="application/json",
            text=error_body("logistics_not_found", "暂无物流信息"),
        )

    async def customer(request: web.Request) -> web.Response:
        if request.match_info["customer_id"] == "C001":
            return web.json_response(SAMPLE_CUSTOMER)
        return web.Response(
            status=404,
            content_type="application/json",
            text=error_body("customer_not_found", "客户不存在"),
        )

    async def customer_orders(request: web.Request) -> web.Response:
        if request.match_info["customer_id"] == "C001":
            return web.json_response({"customer_id": "C001", "orders": [SAMPLE_ORDER]})
        return web.Response(
            status=404,
            content_type="application/json",
            text=error_body("customer_not_found", "客户不存在"),
        )

    async def code_request(request: web.Request) -> web.Response:
        state.bodies_seen.append(await request.json())
        if state.legacy_codes:  # a backend of the previous version answers {}
            return web.json_response({}, status=202)
        return web.json_response(
            {"request_id": "req-0123456789abcdef", "expires_at": "2024-11-25T06:10:00+00:00"},
            status=202,
        )

    async def confirm(request: web.Request) -> web.Response:
        state.bodies_seen.append(await request.json())
        return web.json_response({"customer_id": "C001"}, status=201)

    async def phone_check(request: web.Request) -> web.Response:
        state.bodies_seen.append(await request.json())
        return web.json_response({"verified": True, "attempts_left": 5, "locked_until": None})

    async def unbind(request: web.Request) -> web.Response:
        return web.json_response({"unbound": request.match_info["user"] == "bound-user"})

    app = web.Application()
    app.router.add_post("/api/v1/bindings/codes", code_request)
    app.router.add_post("/api/v1/bindings", confirm)
    app.router.add_post("/api/v1/orders/{order_id}/phone-checks", phone_check)
    app.router.add_delete("/api/v1/bindings/{channel}/{user}", unbind)
    app.router.add_get("/api/v1/orders/{order_id}", order)
    app.router.add_get("/api/v1/orders/{order_id}/logistics", logistics)
    app.router.add_get("/api/v1/customers/{customer_id}", customer)
    app.router.add_get("/api/v1/customers/{customer_id}/orders", customer_orders)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.base_url = f"http://127.0.0.1:{port}"
    return state, runner
