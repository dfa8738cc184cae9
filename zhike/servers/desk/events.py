"""``GET /events``: the desk page's live updates as server-sent events (``text/event-stream``).

The stream opens with ``event: ready`` (the page then reads the inbox once) and carries

- ``event: inbox`` — ``{"conversation_id", "change", "state", "skill_group"}``; ``change`` is
  ``queued``, ``accepted``, ``transferred``, ``reassigned`` or ``closed``;
- ``event: message`` — ``{"conversation_id", "seq", "direction"}``: a new message (the page
  reads it through the usual routes, so the text never travels here);
- ``event: agent`` — ``{"agent_id", "online"}``: an agent went on- or offline (supervisors
  and that agent);
- ``event: resync`` — too much happened for the page to keep up: read everything again;
- ``event: logout`` — the session ended; the stream closes.

An agent gets the events of their skill groups' queues and of their own conversations
(before and after the change), a supervisor all of them. A comment line (``: heartbeat``)
every :data:`HEARTBEAT_SECONDS` keeps proxies from closing the connection and checks the
session is still valid. The events come from the database (:mod:`.events_hub`), so every
desk replica streams every change, wherever it was made.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request

from zhike.servers.desk.api_session import SESSION_COOKIE
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.events_hub import Event, EventHub, Viewer
from zhike.servers.desk.http import current_session

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 2000  # how soon EventSource reconnects after losing the stream
PRIMED_SECONDS = 5.0  # at most this long for the hub's first read before saying ready
STREAM_HEADERS = {"X-Accel-Buffering": "no"}  # no proxy buffering of the stream


def frame(kind: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def event_hub(app: Sanic) -> EventHub:
    """The process's event hub (one per app, made on first use)."""
    hub: EventHub | None = getattr(app.ctx, "desk_events", None)
    if hub is None:
        desk: DeskContext = app.ctx.desk
        hub = EventHub(desk.handoff, getattr(app.ctx, "desk_events_interval", 1.0))
        app.ctx.desk_events = hub
    return hub


async def _next(viewer: Viewer, seconds: float) -> Event | None | str:
    """The next event, ``"resync"`` after an overflow, ``"heartbeat"`` after ``seconds``."""
    if viewer.overflowed:
        viewer.overflowed = False
        while not viewer.queue.empty():
            viewer.queue.get_nowait()
        return "resync"
    try:
        return await asyncio.wait_for(viewer.queue.get(), seconds)
    except asyncio.TimeoutError:
        return "heartbeat"


def events_blueprint() -> Blueprint:
    """The ``/events`` stream."""
    bp = Blueprint("desk_events")

    @bp.get("/events")
    async def events(request: Request) -> None:
        desk: DeskContext = request.app.ctx.desk
        account = current_session(request).account
        groups = frozenset(await desk.groups(account))
        hub = event_hub(request.app)
        heartbeat = getattr(request.app.ctx, "desk_events_heartbeat", HEARTBEAT_SECONDS)
        viewer = hub.subscribe(Viewer(account.agent_id, account.supervisor, groups))
        try:
            # ready once the hub has its baseline: what the page reads then is not missed
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(hub.primed.wait(), PRIMED_SECONDS)
            response = await request.respond(
                content_type="text/event-stream; charset=utf-8", headers=dict(STREAM_HEADERS)
            )
            await response.send(f"retry: {RETRY_MS}\n" + frame("ready", {"groups": sorted(groups)}))
            while True:
                item = await _next(viewer, heartbeat)
                if item is None:
                    break
                if item == "heartbeat":
                    token = request.cookies.get(SESSION_COOKIE)
                    if await desk.auth.session(token) is None:
                        await response.send(frame("logout", {}))
                        break
                    try:
                        viewer.groups = frozenset(await desk.groups(account))
                    except DeskError:  # the account lost its agent
                        await response.send(frame("logout", {}))
                        break
                    await response.send(": heartbeat\n\n")
                elif item == "resync":
                    await response.send(frame("resync", {}))
                elif isinstance(item, Event):
                    await response.send(frame(item.kind, item.data))
            await response.eof()
        finally:
            hub.unsubscribe(viewer)

    @bp.listener("before_server_stop")
    async def stop_streams(app: Sanic, _loop: Any) -> None:
        hub: EventHub | None = getattr(app.ctx, "desk_events", None)
        if hub is not None:
            hub.close()

    return bp
