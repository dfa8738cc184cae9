"""What every zhike server process gets before it serves a request.

:func:`harden_process` is called at the start of each server zhike starts (the Rasa
server and the action server through :mod:`zhike.tools.launch`, the desk and the business
backend in their entry points). It

- refuses malformed request framing (:mod:`zhike.servers.serving.http_guard`),
- lets a client whose body is too large read its 413 (:mod:`zhike.servers.serving.lingering`),
- sets a default request size limit (``SANIC_REQUEST_MAX_SIZE``, 1 MiB unless set) and
  request/response timeouts, which sanic reads when an app is created,
- attaches an event-loop watchdog (:mod:`zhike.servers.serving.watchdog`) to every sanic app of
  the process: it logs a blocked loop and, in production, makes the health routes
  (``/health``, ``/status``, ``/``) answer 503 while the loop is or was recently blocked.
"""

from __future__ import annotations

import os
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from zhike.common.deployment import is_development
from zhike.servers.serving.http_guard import framing_problem, install_framing_guard
from zhike.servers.serving.lingering import install_lingering_close
from zhike.servers.serving.watchdog import LoopWatchdog

__all__ = ["DEFAULT_MAX_BODY", "attach_watchdog", "framing_problem", "harden_process"]

DEFAULT_MAX_BODY = 1024 * 1024
HEALTH_PATHS = frozenset({"/health", "/status", "/"})
_SANIC_DEFAULTS = {
    "SANIC_REQUEST_TIMEOUT": "30",  # seconds to receive a whole request
    "SANIC_RESPONSE_TIMEOUT": "120",  # an answer may wait for NLU, actions and a backend
}
_PATCHED_FLAG = "_zhike_hardened"


def harden_process(max_body: int = DEFAULT_MAX_BODY) -> None:
    """Hardens every sanic server this process creates from now on (idempotent).

    Args:
        max_body: the default request size limit in bytes (``SANIC_REQUEST_MAX_SIZE``
            in the environment wins).
    """
    install_framing_guard()
    install_lingering_close()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(max_body))
    for name, value in _SANIC_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if getattr(Sanic, _PATCHED_FLAG, False):
        return
    original_init = Sanic.__init__

    def init_and_attach(self: Sanic, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        attach_watchdog(self)

    Sanic.__init__ = init_and_attach  # type: ignore[method-assign]
    setattr(Sanic, _PATCHED_FLAG, True)


def _threshold() -> float:
    try:
        return max(0.5, float(os.environ.get("ZHIKE_LOOP_BLOCK_SECONDS", "3")))
    except ValueError:
        return 3.0


def attach_watchdog(app: Sanic) -> None:
    """Starts a :class:`LoopWatchdog` with ``app``'s server and guards its health routes."""
    if getattr(app.ctx, "zhike_watchdog", None) is not None:
        return
    watchdog = LoopWatchdog(threshold=_threshold())
    app.ctx.zhike_watchdog = watchdog
    production = not is_development()

    async def start_watchdog(_app: Sanic, loop: Any) -> None:
        watchdog.start(loop)

    async def stop_watchdog(_app: Sanic, _loop: Any) -> None:
        watchdog.stop()

    async def health_guard(request: Request) -> HTTPResponse | None:
        if production and request.path in HEALTH_PATHS and watchdog.unhealthy():
            return json(
                {"status": "unhealthy", "reason": "event loop blocked recently"},
                status=503,
                headers={"Retry-After": str(int(watchdog.recovery))},
            )
        return None

    app.register_listener(start_watchdog, "after_server_start")
    app.register_listener(stop_watchdog, "before_server_stop")
    app.register_middleware(health_guard, "request")
