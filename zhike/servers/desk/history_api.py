"""Routes of 历史会话 and 留言 (see :mod:`zhike.servers.desk.history`).

- ``GET /history?q=&order=&since=&until=&page=``: closed conversations an agent served,
  newest first, :data:`PAGE_SIZE` a page. ``q`` matches the customer (masked name, customer
  id, or text such as a masked phone in their messages); ``order`` an order number;
  ``since``/``until`` are dates (``YYYY-MM-DD``, both inclusive) of closing.
- ``GET /tickets?status=open|handled|all&page=``: the after-hours / no-agent requests
  (留言), oldest first, each with the bot's summary and, once handled, the note.
- ``POST /tickets/<id>/handle`` ``{"note": "..."}``: marks one handled (409 the second time).

Agents see the conversations of their skill groups (and their own), supervisors all.
Personal data is masked as in the inbox; a malformed parameter is a 400.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.common.privacy import mask_data, mask_text
from zhike.lib.handoff.models import Conversation
from zhike.lib.handoff.text import clean_text
from zhike.servers.desk.api import visible_conversation
from zhike.servers.desk.api_views import agent_names, name_cache
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.history import (
    TICKET_DISPOSITIONS,
    AlreadyHandled,
    Filters,
    closed_conversations,
    mark_handled,
    notes_of,
    said_in,
    ticket_conversations,
)
from zhike.servers.desk.http import current_session, int_query, read_json, text_field
from zhike.servers.desk.inbox import NameCache
from zhike.servers.desk.labels import CHANNEL_LABELS, DISPOSITION_LABELS, visitor_label
from zhike.servers.desk.serializers import iso, masked

PAGE_SIZE = 20
MAX_QUERY = 50
MAX_NOTE = 500
MAX_PAGE = 1000
NAME_SECONDS = 3.0  # at most this long asking the backend for customers' names
NAME_CALLS = 8  # at once
_ORDER = re.compile(r"^[A-Za-z0-9-]{2,40}$")
_STATUSES = ("open", "handled", "all")


def _desk(request: Request) -> DeskContext:
    desk: DeskContext = request.app.ctx.desk
    return desk


def _date(request: Request, name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise DeskError(400, f"invalid_{name}", f"{name} must be a date YYYY-MM-DD") from None


def _page(request: Request) -> int:
    page = int_query(request, "page", 1)
    if not 1 <= page <= MAX_PAGE:
        raise DeskError(400, "invalid_page", f"page must be 1-{MAX_PAGE}")
    return page


async def _filters(request: Request) -> Filters:
    desk, account = _desk(request), current_session(request).account
    since, until = _date(request, "since"), _date(request, "until")
    if since and until and since > until:
        raise DeskError(400, "invalid_range", "since is after until")
    order = (request.args.get("order") or "").strip() or None
    if order is not None and not _ORDER.match(order):
        raise DeskError(400, "invalid_order", "order: 2-40 of A-Z a-z 0-9 -")
    groups = None if account.supervisor else tuple(await desk.groups(account))
    return Filters(groups, account.agent_id, order, since, until)


def _query(request: Request) -> str | None:
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise DeskError(400, "invalid_q", f"q has at most {MAX_QUERY} characters")
    if clean_text(q) != q:  # NUL or a lone surrogate
        raise DeskError(400, "invalid_q", "q holds characters that cannot be searched")
    return q or None


def _tz(desk: DeskContext) -> ZoneInfo:
    return desk.handoff.settings.hours.tz


async def _names(cache: NameCache, rows: Iterable[Conversation]) -> dict[str, str]:
    """The masked names of the rows' customers the backend gave within :data:`NAME_SECONDS`."""
    found: dict[str, str] = {}
    gate = asyncio.Semaphore(NAME_CALLS)

    async def one(customer_id: str) -> None:
        async with gate:
            name = await cache.name(customer_id)
        if name:
            found[customer_id] = name

    ids = {row.customer_id for row in rows if row.customer_id}
    tasks = [asyncio.ensure_future(one(customer_id)) for customer_id in ids]
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=NAME_SECONDS)
        for task in pending:
            task.cancel()
    return found


def _name(names: dict[str, str], row: Conversation) -> str:
    if row.customer_id:
        return names.get(row.customer_id) or f"客户 {masked(row.customer_id)}"
    return visitor_label(row.sender_id)


def _recent(summary: Any) -> list[str]:
    recent = summary.get("recent_messages") if isinstance(summary, dict) else None
    return [mask_text(text) for text in recent if isinstance(text, str)] if recent else []


def _common(row: Conversation, name: str) -> dict[str, Any]:
    disposition = row.disposition or ""
    return {
        "conversation_id": row.id,
        "name": name,
        "customer_id": masked(row.customer_id),
        "anonymous": not row.customer_id,
        "channel": row.channel,
        "channel_label": CHANNEL_LABELS.get(row.channel, row.channel),
        "skill_group": row.skill_group,
        "disposition": masked(disposition) or None,
        "disposition_label": DISPOSITION_LABELS.get(disposition, masked(disposition) or "—"),
        "handoff_requested_at": iso(row.handoff_requested_at),
        "closed_at": iso(row.closed_at),
    }


def _paged(rows: list[Any], page: int) -> tuple[list[Any], int]:
    return rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(rows)


def history_blueprint() -> Blueprint:
    """The 历史会话 and 留言 routes."""
    bp = Blueprint("desk_history")

    @bp.get("/history")
    async def history(request: Request) -> HTTPResponse:
        desk = _desk(request)
        filters, q, page = await _filters(request), _query(request), _page(request)
        rows = await closed_conversations(desk.handoff, filters, _tz(desk))
        cache = name_cache(request.app)
        if q:
            names = await _names(cache, rows)
            spoken = await said_in(desk.handoff, [row.id for row in rows], q)
            rows = [
                row
                for row in rows
                if row.id in spoken
                or q in _name(names, row)
                or q in (masked(row.customer_id) or "")
            ]
        shown, total = _paged(rows, page)
        names = await _names(cache, shown)
        agents = await agent_names(desk)
        items = []
        for row in shown:
            item = _common(row, _name(names, row))
            item.update(
                agent_id=row.agent_id,
                agent_name=agents.get(row.agent_id or "", row.agent_id),
                rating=row.rating,
                comment=mask_text(row.comment) if row.comment else None,
            )
            items.append(item)
        return json_response({"items": items, "total": total, "page": page, "page_size": PAGE_SIZE})

    @bp.get("/tickets")
    async def tickets(request: Request) -> HTTPResponse:
        desk = _desk(request)
        status = request.args.get("status") or "open"
        if status not in _STATUSES:
            raise DeskError(400, "invalid_status", "status must be open, handled or all")
        filters, page = await _filters(request), _page(request)
        rows = await ticket_conversations(desk.handoff, filters, _tz(desk))
        notes = await notes_of(desk.auth.db, [row.id for row in rows])
        if status != "all":
            rows = [row for row in rows if (row.id in notes) == (status == "handled")]
        shown, total = _paged(rows, page)
        agents = await agent_names(desk)
        names, items = await _names(name_cache(request.app), shown), []
        for row in shown:
            item = _common(row, _name(names, row))
            summary = row.summary if isinstance(row.summary, dict) else {}
            note = notes.get(row.id)
            item.update(
                reason=mask_text(str(summary.get("reason") or "")) or None,
                intent=summary.get("intent") if isinstance(summary.get("intent"), str) else None,
                slots=mask_data(summary.get("slots") or {}),
                recent_messages=_recent(summary),
                handled=note is not None,
                note=note.note if note else None,
                handled_by=agents.get(note.agent_id, note.agent_id) if note else None,
                handled_at=iso(note.handled_at) if note else None,
            )
            items.append(item)
        return json_response({"items": items, "total": total, "page": page, "page_size": PAGE_SIZE})

    @bp.post("/tickets/<conversation_id:int>/handle")
    async def handle(request: Request, conversation_id: int) -> HTTPResponse:
        desk, session = _desk(request), current_session(request)
        note = text_field(read_json(request), "note", MAX_NOTE) or ""
        info = await visible_conversation(desk, session, conversation_id)
        if info.disposition not in TICKET_DISPOSITIONS:
            raise DeskError(404, "ticket_not_found", "this conversation is not a 留言")
        try:
            stored = await mark_handled(
                desk.auth.db, conversation_id, session.account.agent_id, note, desk.handoff.clock()
            )
        except AlreadyHandled:
            raise DeskError(409, "already_handled", "this 留言 was handled already") from None
        return json_response({"conversation_id": conversation_id, "handled": True, "note": stored})

    return bp
