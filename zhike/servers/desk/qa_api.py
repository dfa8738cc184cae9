"""Quality-inspection routes under ``/api/desk/v1/qa`` (智能质检).

Supervisors review the queue and keep the word list and the rule settings; every other
account sees only the records of its own conversations (``/qa/mine`` and those records'
details). 401 without a session, 403 ``supervisor_only`` or ``forbidden_record``.

- ``GET /qa/records?status=&rule=``: flagged records (supervisors);
- ``GET /qa/mine?status=``: the caller's own flagged records;
- ``GET /qa/records/<id>``: one record with its masked excerpt and the hits marked;
- ``POST /qa/records/<id>/review`` ``{"decision": "confirm"|"dismiss", "comment"}``;
- ``GET|POST /qa/words``, ``DELETE /qa/words/<id>``: the sensitive words;
- ``GET|PUT /qa/settings``: the rule thresholds and disabled rules.

Listing only reads the stored records: the desk's background job inspects conversations
as they finish (:mod:`zhike.servers.desk.background`). A record says where the
conversation happened (``channel``, ``channel_label``) and whether an agent took part
(``with_agent``); a bot-only one has no ``conversation_id`` (its ``session_key`` names it).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.lib.qa.models import CONFIRMED, DISMISSED, PENDING
from zhike.lib.qa.rules import RULES
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import current_session, int_query, read_json, require_supervisor
from zhike.servers.desk.labels import CHANNEL_LABELS
from zhike.servers.desk.qa_live import desk_errors, qa_service
from zhike.servers.desk.serializers import iso

STATUS_FILTERS = (PENDING, CONFIRMED, DISMISSED)
MAX_LIST = 200
MAX_ID = 2**31 - 1


def _labels() -> dict[str, str]:
    return {name: label for name, (label, _) in RULES.items()}


def _filters(request: Request) -> tuple[str | None, str | None]:
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_FILTERS:
        raise DeskError(400, "invalid_status", f"status must be one of {', '.join(STATUS_FILTERS)}")
    rule = request.args.get("rule") or None
    if rule is not None and rule not in RULES:
        raise DeskError(400, "invalid_rule", f"rule must be one of {', '.join(RULES)}")
    return status, rule


def _record_json(record: dict[str, Any], names: dict[str, str], full: bool) -> dict[str, Any]:
    found = {
        key: (iso(value) if key.endswith("_at") else value)
        for key, value in record.items()
        if full or key != "excerpt"
    }
    found["agent_name"] = names.get(record.get("agent_id") or "", record.get("agent_id"))
    key = int(record["conversation_id"])
    found["conversation_id"] = key if key > 0 else None  # bot-only: keyed by its session
    with_agent = record.get("with_agent")  # NULL in a record made before the column
    found["with_agent"] = key > 0 if with_agent is None else bool(with_agent)
    channel = record.get("channel")
    found["channel_label"] = CHANNEL_LABELS.get(channel or "", channel) if channel else None
    return found


async def _names(desk: DeskContext) -> dict[str, str]:
    return {agent.agent_id: agent.name for agent in await desk.handoff.agent_load()}


def _record_id(record_id: int) -> int:
    if not 0 < record_id <= MAX_ID:
        raise DeskError(404, "record_not_found", "没有这条质检记录")
    return record_id


def qa_blueprint() -> Blueprint:
    """The quality-inspection routes."""
    bp = Blueprint("desk_qa")

    async def listing(request: Request, agent_id: str | None) -> HTTPResponse:
        status, rule = _filters(request)
        limit = min(max(int_query(request, "limit", 100), 1), MAX_LIST)
        service = qa_service(request.app)
        with desk_errors():
            records = await service.records(status, rule, agent_id, limit)
        names = await _names(request.app.ctx.desk)
        return json_response(
            {"records": [_record_json(r, names, False) for r in records], "rules": _labels()}
        )

    @bp.get("/qa/records")
    async def records(request: Request) -> HTTPResponse:
        require_supervisor(request)
        return await listing(request, None)

    @bp.get("/qa/mine")
    async def mine(request: Request) -> HTTPResponse:
        return await listing(request, current_session(request).account.agent_id)

    @bp.get("/qa/records/<record_id:int>")
    async def record(request: Request, record_id: int) -> HTTPResponse:
        account = current_session(request).account
        with desk_errors():
            found = await qa_service(request.app).record(_record_id(record_id))
        if not account.supervisor and found["agent_id"] != account.agent_id:
            raise DeskError(403, "forbidden_record", "只能查看自己的质检记录")
        if found["status"] == "clean" and not account.supervisor:
            raise DeskError(404, "record_not_found", "没有这条质检记录")
        names = await _names(request.app.ctx.desk)
        return json_response({"record": _record_json(found, names, True), "rules": _labels()})

    @bp.post("/qa/records/<record_id:int>/review")
    async def review(request: Request, record_id: int) -> HTTPResponse:
        session = require_supervisor(request)
        body = read_json(request)
        with desk_errors():
            found = await qa_service(request.app).review(
                _record_id(record_id),
                body.get("decision"),
                body.get("comment"),
                session.account.agent_id,
            )
        names = await _names(request.app.ctx.desk)
        return json_response({"record": _record_json(found, names, True)})

    @bp.get("/qa/words")
    async def words(request: Request) -> HTTPResponse:
        require_supervisor(request)
        with desk_errors():
            return json_response(await qa_service(request.app).words())

    @bp.post("/qa/words")
    async def add_word(request: Request) -> HTTPResponse:
        session = require_supervisor(request)
        body = read_json(request)
        with desk_errors():
            word = await qa_service(request.app).add_word(
                body.get("word"), body.get("category"), session.account.agent_id
            )
        return json_response({"word": word}, status=201)

    @bp.delete("/qa/words/<word_id:int>")
    async def remove_word(request: Request, word_id: int) -> HTTPResponse:
        require_supervisor(request)
        with desk_errors():
            await qa_service(request.app).remove_word(min(word_id, MAX_ID))
        return json_response({"removed": word_id})

    @bp.get("/qa/settings")
    async def settings(request: Request) -> HTTPResponse:
        require_supervisor(request)
        with desk_errors():
            found = await qa_service(request.app).settings()
        return json_response({"settings": found.to_dict(), "rules": _labels()})

    @bp.put("/qa/settings")
    async def save_settings(request: Request) -> HTTPResponse:
        require_supervisor(request)
        body = read_json(request)
        with desk_errors():
            saved = await qa_service(request.app).save_settings(body)
        return json_response({"settings": saved.to_dict(), "rules": _labels()})

    return bp
