"""Supervisor routes: every queue, the agents' load, the live conversations and deliveries.

``POST /supervisor/conversations/<id>/reassign`` (``{"agent_id": ...}``) gives a live
conversation to another online agent with room for it (转派): 404 for an unknown
conversation or agent, 409 ``agent_offline`` / ``agent_at_capacity`` /
``not_reassignable``; the customer is told who took over.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.handoff import DEAD, DELIVERED, PENDING, SKILL_GROUPS
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import int_query, read_json, require_supervisor
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
MAX_ID = 2**31 - 1
MAX_AGENT_ID = 64


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

    @bp.post("/supervisor/conversations/<conversation_id:int>/reassign")
    async def reassign(request: Request, conversation_id: int) -> HTTPResponse:
        require_supervisor(request)
        agent_id = read_json(request).get("agent_id")
        if not isinstance(agent_id, str) or not 0 < len(agent_id) <= MAX_AGENT_ID:
            raise DeskError(400, "invalid_agent_id", "agent_id: the id of an agent")
        if not 0 < conversation_id <= MAX_ID:
            raise DeskError(404, "conversation_not_found", "no such conversation")
        desk = _desk(request)
        info = await desk.handoff.reassign(
            conversation_id, agent_id, notify_customer=desk.settings.customer_notices
        )
        notified = await desk.first_attempt(info.outbox_id)
        return json_response({"conversation": conversation_json(info), "bot_notified": notified})

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
