"""Search, the unanswered-questions queue and coverage under ``/api/kb/v1``.

- ``GET /search?q=TEXT&k=5``: the published entries as the robot finds them (the same
  :class:`~zhike.lib.kb.live.LiveKnowledge` retrieval and thresholds) and what it would
  do: ``answer``, ``suggest`` (您是想问) or ``none``.
- ``GET /unanswered?since=&limit=``: the open groups of questions the robot could not
  answer, most frequent first (:class:`~zhike.lib.kb.unanswered.UnansweredQueue`).
- ``POST /unanswered/<id>/new-entry``: a new entry from a group (a draft; ``publish``
  for roles that may publish); ``POST /unanswered/<id>/add-similar`` (``entry_id``):
  the group's questions become similar questions of an entry; ``POST
  /unanswered/<id>/dismiss``.
- ``GET /coverage?days=7``: knowledge coverage (知识库覆盖率) of the last ``days`` days.

Reads are open to every desk role; the knowledge base refuses what a role may not do.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.kb import permissions as perm
from zhike.lib.kb.live import KnowledgeUnavailable, LiveKnowledge, Lookup
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import Coverage, UnansweredGroup, UnansweredQueue
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.kb_http import (
    MAX_QUERY,
    draft_body,
    int_arg,
    kb_actor,
    knowledge,
    write_body,
)

MAX_HITS = 20
MAX_GROUPS = 500
MAX_DAYS = 366
PUBLISH = "publish"


def live_knowledge(request: Request) -> LiveKnowledge:
    """The desk's searchable published entries; 503 ``kb_unavailable`` without any."""
    live: LiveKnowledge | None = getattr(request.app.ctx.desk, "live", None)
    if live is None:
        raise DeskError(503, "kb_unavailable", "this desk has no knowledge base")
    return live


def lookup_json(found: Lookup) -> dict[str, Any]:
    """A lookup as answered: the decision and the hits, best first."""
    return {
        "decision": found.decision,
        "hits": [
            {
                "id": hit.entry.id,
                "question": hit.entry.question,
                "answer": hit.entry.answer,
                "category": hit.entry.category,
                "score": round(hit.score, 4),
            }
            for hit in found.hits
        ],
    }


async def search_published(live: LiveKnowledge, text: str, k: int) -> Lookup:
    """:meth:`LiveKnowledge.lookup`; 503 ``kb_unavailable`` when it cannot be read."""
    try:
        return await live.lookup(text, k)
    except KnowledgeUnavailable:
        raise DeskError(503, "kb_unavailable", "the knowledge base cannot be read") from None


def group_json(group: UnansweredGroup) -> dict[str, Any]:
    """One group of the queue: its first question, count, examples and reasons."""
    return {
        "id": group.id,
        "text": group.text,
        "count": group.count,
        "first_at": group.first_at.isoformat(),
        "last_at": group.last_at.isoformat(),
        "examples": list(group.examples),
        "reasons": dict(group.reasons),
        "state": group.state,
    }


def coverage_json(days: int, found: Coverage) -> dict[str, Any]:
    """Coverage as answered; ``rate`` is ``null`` when nobody asked anything."""
    return {
        "days": days,
        "since": found.since.isoformat(),
        "until": found.until.isoformat(),
        "questions": found.questions,
        "answered": found.answered,
        "covered": found.covered,
        "unanswered": found.unanswered,
        "rate": None if found.rate is None else round(found.rate, 4),
    }


def since_arg(request: Request, kb: KnowledgeBase) -> datetime | None:
    """``since``: a day (``2024-06-01``, from its start in the KB's zone) or an aware time."""
    raw = (request.args.get("since") or "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
            return datetime.combine(day, time(), tzinfo=kb.zone)
        at = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise DeskError(400, "invalid_since", "since must be a date or an ISO time") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise DeskError(400, "invalid_since", "since needs a time zone, e.g. +08:00")
    return at


def publish_flag(body: dict[str, Any]) -> bool:
    """The optional ``publish`` flag of a queue action (a boolean)."""
    value = body.get(PUBLISH, False)
    if not isinstance(value, bool):
        raise DeskError(400, "invalid_publish", "publish must be true or false")
    return value


def kb_queue_blueprint() -> Blueprint:
    """``/search``, ``/unanswered`` (list and the three actions) and ``/coverage``."""
    bp = Blueprint("kb_queue")

    @bp.get("/search")
    async def search(request: Request) -> HTTPResponse:
        text = (request.args.get("q") or "").strip()
        if not text:
            raise DeskError(400, "invalid_q", "give the question to look up in q")
        if len(text) > MAX_QUERY:
            raise DeskError(400, "invalid_q", f"q is longer than {MAX_QUERY} characters")
        k = min(max(1, int_arg(request, "k", 5)), MAX_HITS)
        found = await search_published(live_knowledge(request), text, k)
        return json_response({"query": text, **lookup_json(found)})

    @bp.get("/unanswered")
    async def unanswered(request: Request) -> HTTPResponse:
        kb = knowledge(request)
        since = since_arg(request, kb)
        limit = min(max(1, int_arg(request, "limit", 50)), MAX_GROUPS)
        groups = await UnansweredQueue(kb).groups(since=since, limit=limit)
        return json_response({"groups": [group_json(group) for group in groups]})

    @bp.post("/unanswered/<group_id:int>/new-entry")
    async def new_entry(request: Request, group_id: int) -> HTTPResponse:
        kb, actor = knowledge(request), kb_actor(request)
        draft, body = draft_body(request, control=(PUBLISH,))
        publish = publish_flag(body)
        if publish:
            perm.require(actor, perm.REVIEW)  # before anything is written
        entry = await UnansweredQueue(kb).resolve_to_new_entry(group_id, draft, actor, publish)
        return json_response({"entry": entry.to_dict()}, status=201)

    @bp.post("/unanswered/<group_id:int>/add-similar")
    async def add_similar(request: Request, group_id: int) -> HTTPResponse:
        kb, actor = knowledge(request), kb_actor(request)
        body = write_body(request)
        entry_id = body.get("entry_id")
        if isinstance(entry_id, bool) or not isinstance(entry_id, int) or entry_id < 1:
            raise DeskError(400, "invalid_entry_id", "entry_id must be an entry's id")
        publish = publish_flag(body)
        if publish:
            perm.require(actor, perm.REVIEW)
        entry = await UnansweredQueue(kb).add_as_similar(group_id, entry_id, actor, publish)
        return json_response({"entry": entry.to_dict()})

    @bp.post("/unanswered/<group_id:int>/dismiss")
    async def dismiss(request: Request, group_id: int) -> HTTPResponse:
        await UnansweredQueue(knowledge(request)).dismiss(group_id, kb_actor(request))
        return json_response({"id": group_id, "state": "dismissed"})

    @bp.get("/coverage")
    async def coverage(request: Request) -> HTTPResponse:
        kb = knowledge(request)
        days = int_arg(request, "days", 7)
        if not 1 <= days <= MAX_DAYS:
            raise DeskError(400, "invalid_days", f"days must be 1 to {MAX_DAYS}")
        until = kb.now()
        found = await UnansweredQueue(kb).coverage(until - timedelta(days=days), until)
        return json_response(coverage_json(days, found))

    return bp
