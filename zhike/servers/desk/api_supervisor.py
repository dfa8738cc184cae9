"""Supervisor routes: every queue, the agents' load, the live conversations and deliveries."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.handoff import DEAD, DELIVERED, PENDING, SKILL_GROUPS
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import int_query, require_supervisor
from zhike.servers.desk.serializers import (
    agent_json,
    conversation_json,
    outbox_json,
    queue_entry_json,
)

DELIVERY_FILTERS = {
    "undelivered": (PENDING, DEAD),
    PENDING: (PENDING,),
    DEAD: (DEAD,),
    DELIVERED: (DELIVERED,),
}
MAX_DELIVERIES = 200


def _desk(request: Request) -> DeskContext:
    desk: DeskContext = request.app.ctx.desk
    return desk


def supervisor_blueprint() -> Blueprint:
    """The routes under ``/supervisor`` (403 ``supervisor_only`` for agents)."""
    bp = Blueprint("desk_supervisor")

    @bp.get("/supervisor/queues")
    async def queues(request: Request) -> HTTPResponse:
        require_supervisor(request)
        entries = await _desk(request).handoff.queue()
        groups = {}
        for group in SKILL_GROUPS:
            waiting = [queue_entry_json(e) for e in entries if e.skill_group == group]
            groups[group] = {
                "waiting": len(waiting),
                "longest_wait_seconds": max((e["waiting_seconds"] for e in waiting), default=0),
                "entries": waiting,
            }
        return json_response({"groups": groups})

    @bp.get("/supervisor/agents")
    async def agents(request: Request) -> HTTPResponse:
        require_supervisor(request)
        loads = await _desk(request).handoff.agent_load()
        return json_response({"agents": [agent_json(load) for load in loads]})

    @bp.get("/supervisor/conversations")
    async def live(request: Request) -> HTTPResponse:
        require_supervisor(request)
        handoff = _desk(request).handoff
        ids = [entry.conversation_id for entry in await handoff.queue()]
        for load in await handoff.agent_load():
            ids.extend(load.conversation_ids)
        infos = [await handoff.conversation(cid) for cid in sorted(set(ids))]
        return json_response({"conversations": [conversation_json(info) for info in infos]})

    @bp.get("/supervisor/deliveries")
    async def deliveries(request: Request) -> HTTPResponse:
        require_supervisor(request)
        wanted = request.args.get("state", "undelivered")
        if wanted not in DELIVERY_FILTERS:
            raise DeskError(
                400, "invalid_state", f"state must be one of {', '.join(DELIVERY_FILTERS)}"
            )
        limit = min(max(int_query(request, "limit", 100), 1), MAX_DELIVERIES)
        conversation = request.args.get("conversation_id")
        conversation_id = int_query(request, "conversation_id", 0) if conversation else None
        outbox = _desk(request).outbox
        entries = await outbox.entries(DELIVERY_FILTERS[wanted], limit, conversation_id)
        return json_response(
            {
                "counts": await outbox.counts(),
                "deliveries": [outbox_json(entry) for entry in entries],
            }
        )

    return bp
