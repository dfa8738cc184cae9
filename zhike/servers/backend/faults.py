"""Fault injection for tests: slow down or break the ``/api/v1`` routes on demand.

Mounted only when ``ZHIKE_BACKEND_FAULTS=1``. ``POST /__faults`` replaces the active
fault with a JSON body such as ``{"delay_ms": 2500, "status": 503}``; ``GET`` shows it and
``DELETE`` clears it. Fields (all optional):

* ``delay_ms`` (0-60000): wait this long before answering.
* ``status`` (400-599): answer with this status and the JSON error contract.
* ``error`` (bool): raise an unexpected exception inside the handler path (a real 500).
* ``count`` (>= 1): affect only the next ``count`` requests, then clear itself.
* ``path_prefix``: affect only paths starting with it (default ``/api/v1``).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.servers.backend.bodies import body_value
from zhike.servers.backend.errors import ApiError, error_response, json_response

API_PREFIX = "/api/v1"


class InjectedFault(RuntimeError):
    """The exception raised by an ``{"error": true}`` fault."""


@dataclass
class FaultState:
    """The active fault (all defaults: no fault)."""

    delay_ms: int = 0
    status: int | None = None
    error: bool = False
    count: int | None = None
    path_prefix: str = API_PREFIX

    @property
    def active(self) -> bool:
        """True when any fault is configured."""
        return bool(self.delay_ms or self.status or self.error)

    def as_json(self) -> dict[str, Any]:
        """The state as JSON."""
        return {**asdict(self), "active": self.active}


def _int_field(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, "invalid_fault", f"{name} 必须是 {low}-{high} 之间的整数")
    return value


def parse_fault(body: Any) -> FaultState:
    """Validates a ``POST /__faults`` body; raises :class:`ApiError` (400) when invalid."""
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_fault", "请求体必须是 JSON 对象")
    unknown = set(body) - {"delay_ms", "status", "error", "count", "path_prefix"}
    if unknown:
        raise ApiError(400, "invalid_fault", f"未知字段：{', '.join(sorted(unknown))}")
    prefix = body.get("path_prefix", API_PREFIX)
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ApiError(400, "invalid_fault", "path_prefix 必须是以 / 开头的路径")
    return FaultState(
        delay_ms=_int_field(body, "delay_ms", 0, 60_000) or 0,
        status=_int_field(body, "status", 400, 599),
        error=bool(body.get("error", False)),
        count=_int_field(body, "count", 1, 1_000_000),
        path_prefix=prefix,
    )


async def apply_fault(request: Request) -> HTTPResponse | None:
    """Applies the active fault to ``request``; returns a response to short-circuit."""
    state: FaultState | None = getattr(request.app.ctx, "faults", None)
    if state is None or not state.active or request.path.startswith("/__faults"):
        return None
    if not request.path.startswith(state.path_prefix):
        return None
    if state.count is not None:
        state.count -= 1
        if state.count <= 0:
            request.app.ctx.faults = FaultState()
    if state.delay_ms:
        await asyncio.sleep(state.delay_ms / 1000)
    if state.error:
        raise InjectedFault("injected fault (secret internals must not leak)")
    if state.status:
        return error_response(state.status, "injected_fault", "故障注入：模拟的服务异常")
    return None


def faults_blueprint() -> Blueprint:
    """The ``/__faults`` control endpoints."""
    bp = Blueprint("faults", url_prefix="/__faults")

    @bp.get("/")
    async def show(request: Request) -> HTTPResponse:
        return json_response(request.app.ctx.faults.as_json())

    @bp.post("/")
    async def set_fault(request: Request) -> HTTPResponse:
        request.app.ctx.faults = parse_fault(body_value(request))
        return json_response(request.app.ctx.faults.as_json())

    @bp.delete("/")
    async def clear(request: Request) -> HTTPResponse:
        request.app.ctx.faults = FaultState()
        return json_response(request.app.ctx.faults.as_json())

    return bp
