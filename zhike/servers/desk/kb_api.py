"""The knowledge-base API under ``/api/kb/v1``: entries, review, history and stats.

Every route needs a desk session (writes also ``X-CSRF-Token``) or the service token
(:mod:`zhike.servers.desk.kb_http`). The knowledge base decides what each role may do
and refuses with :class:`~zhike.lib.kb.errors.KbError` (403 for the role, 404, 409 for a
stale ``expected_version`` or a state that does not allow it), answered by
:mod:`zhike.servers.desk.errors`. Import and export are in :mod:`zhike.servers.desk.kb_files`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.kb import permissions as perm
from zhike.lib.kb.domain import Actor, Entry
from zhike.lib.kb.service import KnowledgeBase
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.kb_http import (
    comment,
    draft_body,
    expected_version,
    history_json,
    kb_actor,
    knowledge,
    listing_query,
    page_json,
    write_body,
)

# POST /entries/<id>/<action>: what it does with (kb, id, actor, comment, expected_version).
Review = Callable[[KnowledgeBase, int, Actor, "str | None", "int | None"], Awaitable[Entry]]
REVIEW_ACTIONS: dict[str, Review] = {
    "submit": lambda kb, i, who, _text, version: kb.submit(i, who, version),
    "approve": lambda kb, i, who, text, version: kb.approve(i, who, text, version),
    "reject": lambda kb, i, who, text, version: kb.reject(i, who, text or "", version),
    "publish": lambda kb, i, who, text, version: kb.publish(i, who, version, text),
    "archive": lambda kb, i, who, text, version: kb.archive(i, who, version, text),
}
# What the caller's role may do, for the page to offer only those buttons.
ABILITIES = {
    "create": perm.CREATE,
    "update": perm.UPDATE,
    "submit": perm.SUBMIT,
    "review": perm.REVIEW,
    "archive": perm.ARCHIVE,
    "triage": perm.TRIAGE,  # dismiss unanswered questions
}


def kb_blueprint() -> Blueprint:
    """``/me``, ``/entries`` (list, create, read, update, review, history) and ``/stats``."""
    bp = Blueprint("kb_entries")

    @bp.get("/me")
    async def me(request: Request) -> HTTPResponse:
        actor = kb_actor(request)
        may = {name: perm.may(actor, action) for name, action in ABILITIES.items()}
        return json_response({"name": actor.name, "role": actor.role, "may": may})

    @bp.get("/entries")
    async def entries(request: Request) -> HTTPResponse:
        page = await knowledge(request).list(**listing_query(request))
        return json_response(page_json(page))

    @bp.post("/entries")
    async def create(request: Request) -> HTTPResponse:
        draft, body = draft_body(request)
        entry = await knowledge(request).create(draft, kb_actor(request), comment(body))
        return json_response({"entry": entry.to_dict()}, status=201)

    @bp.get("/entries/<entry_id:int>")
    async def read(request: Request, entry_id: int) -> HTTPResponse:
        entry = await knowledge(request).get(entry_id)
        return json_response({"entry": entry.to_dict()})

    @bp.put("/entries/<entry_id:int>")
    async def update(request: Request, entry_id: int) -> HTTPResponse:
        draft, body = draft_body(request)
        entry = await knowledge(request).update(
            entry_id, draft, kb_actor(request), expected_version(body), comment(body)
        )
        return json_response({"entry": entry.to_dict()})

    @bp.post("/entries/<entry_id:int>/<action:str>")
    async def review(request: Request, entry_id: int, action: str) -> HTTPResponse:
        act = REVIEW_ACTIONS.get(action)
        if act is None:
            raise DeskError(404, "not_found", f"no action {action[:32]!r}")
        body = write_body(request)
        entry = await act(
            knowledge(request), entry_id, kb_actor(request), comment(body), expected_version(body)
        )
        return json_response({"entry": entry.to_dict()})

    @bp.get("/entries/<entry_id:int>/history")
    async def history(request: Request, entry_id: int) -> HTTPResponse:
        records = await knowledge(request).history(entry_id)
        return json_response({"history": [history_json(record) for record in records]})

    @bp.get("/stats")
    async def stats(request: Request) -> HTTPResponse:
        found = await knowledge(request).stats()
        return json_response(
            {
                "revision": found.revision,
                "total": found.total,
                "live": found.live,
                "by_status": dict(found.by_status),
                "by_category": dict(found.by_category),
            }
        )

    return bp
