"""What the desk page shows, ready to show: labels, the inbox and a conversation's timeline.

- ``GET /labels``: the Chinese labels of intents (``actions/intent_titles.yml``), slots,
  channels, skill groups, dispositions and states, and the reply SLA.
- ``GET /inbox``: the queue of the caller's groups and their own conversations, each row
  with the customer's name, channel, last message and waiting time, longest wait first;
  and how many wait in every group (for 转接).
- ``GET /conversations/<id>/timeline``: the bot's part, the desk's messages and the
  system events of a conversation in one list by time (:mod:`zhike.servers.desk.timeline`).

Same sessions and visibility rules as the other conversation routes.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.handoff import SKILL_GROUPS
from zhike.servers.desk.api import visible_conversation
from zhike.servers.desk.assist import services
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.customer_context import part_error
from zhike.servers.desk.delivery.rasa_api import RasaApiError
from zhike.servers.desk.errors import json_response
from zhike.servers.desk.http import current_session
from zhike.servers.desk.inbox import Activity, NameCache, activities, by_wait, row
from zhike.servers.desk.labels import INTENT_TITLES_PATH, labels_document, load_intent_titles
from zhike.servers.desk.qa_live import mask_customer_items
from zhike.servers.desk.timeline import timeline


def _desk(request: Request) -> DeskContext:
    desk: DeskContext = request.app.ctx.desk
    return desk


async def intent_titles(app: Sanic) -> dict[str, str]:
    """The intent titles, read once per app (in a worker thread)."""
    titles: dict[str, str] | None = getattr(app.ctx, "desk_intent_titles", None)
    if titles is None:
        path = getattr(app.ctx, "desk_intent_titles_path", INTENT_TITLES_PATH)
        titles = await asyncio.to_thread(load_intent_titles, path)
        app.ctx.desk_intent_titles = titles
    return titles


def name_cache(app: Sanic) -> NameCache:
    """The app's cache of customer names (on the assist services' backend)."""
    cache: NameCache | None = getattr(app.ctx, "desk_names", None)
    if cache is None:
        cache = NameCache(services(app).backend)
        app.ctx.desk_names = cache
    return cache


async def agent_names(desk: DeskContext) -> dict[str, str]:
    """Every agent's display name by agent id."""
    return {agent.agent_id: agent.name for agent in await desk.handoff.agent_load()}


def views_blueprint() -> Blueprint:
    """The labels, inbox and timeline routes."""
    bp = Blueprint("desk_views")

    @bp.get("/labels")
    async def labels(request: Request) -> HTTPResponse:
        desk = _desk(request)
        titles = await intent_titles(request.app)
        return json_response(labels_document(titles, desk.settings.sla_seconds))

    @bp.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        groups = await desk.groups(session.account)
        agent = await desk.agent(session.account)
        entries = await desk.handoff.queue()
        mine_ids = list(agent.conversation_ids)
        waiting = [
            e for e in entries if e.skill_group in groups and e.conversation_id not in mine_ids
        ]
        ids = [e.conversation_id for e in waiting] + mine_ids
        infos = {cid: await desk.handoff.conversation(cid) for cid in ids}
        briefs = await activities(desk.handoff, ids)
        names, now = name_cache(request.app), desk.handoff.clock()

        def brief(cid: int) -> Activity:
            return briefs.get(cid) or Activity()

        queue_rows = [
            await row(infos[e.conversation_id], brief(e.conversation_id), names, now, e.position)
            for e in waiting
        ]
        mine_rows = [await row(infos[cid], brief(cid), names, now) for cid in mine_ids]
        previews = [r["preview"] for r in queue_rows + mine_rows if r.get("preview")]
        await mask_customer_items(request.app, previews, "who")  # abuse as ***
        lengths = Counter(e.skill_group for e in entries)
        body: dict[str, Any] = {
            "sla_seconds": desk.settings.sla_seconds,
            "queue": by_wait(queue_rows),
            "mine": by_wait(mine_rows),
            "queue_lengths": {group: lengths.get(group, 0) for group in SKILL_GROUPS},
        }
        return json_response(body)

    @bp.get("/conversations/<conversation_id:int>/timeline")
    async def conversation_timeline(request: Request, conversation_id: int) -> HTTPResponse:
        desk = _desk(request)
        info = await visible_conversation(desk, current_session(request), conversation_id)
        messages = await desk.handoff.messages(conversation_id)
        errors: list[dict[str, str]] = []
        tracker = None
        rasa = services(request.app).rasa
        if rasa is None:
            errors.append(part_error("bot", "rasa_not_configured", "ZHIKE_DESK_RASA_URL unset"))
        else:
            try:
                tracker = await rasa.tracker(info.sender_id)
            except RasaApiError as exc:
                errors.append(part_error("bot", "rasa_unavailable", str(exc)))
        items = timeline(info, messages, tracker, await agent_names(desk))
        await mask_customer_items(request.app, items, "kind")  # abuse as ***
        return json_response({"conversation_id": conversation_id, "items": items, "errors": errors})

    return bp
