"""Customer tags (客户画像) routes of the desk API (mounted under ``/api/desk/v1``).

- ``GET /customers/<id>/tags``: the customer's automatic and manual tags as stored (the
  background job computes the automatic ones, :mod:`zhike.servers.desk.background`) and
  suggestions for manual tags::

      {"customer_id": "C001", "tags": [{"tag": "refund_frequent", "value": "",
        "label": "高频退款", "colour": "red", "source": "auto", "reason": "近90天退款3次",
        "created_by": "system", "created_at": "..."}, ...],
       "suggestions": ["老客户", ...], "errors": []}

- ``POST /customers/<id>/tags`` with ``{"tag": "老客户"}``: adds a manual tag (201; 200
  when the customer has it already); ``DELETE`` with the same body removes it (200; 404
  ``tag_not_found``). Both answer the tags like ``GET``.
- ``GET /tags/segments`` (supervisors): ``{"rows": [{"tag", "label", "customers", ...}]}``.

An agent may read the tags of a customer whose conversation they handle or handled, or
that waits in their groups' queue, and write those of the first kind; a supervisor any
customer. 404 ``customer_not_found`` for a customer the desk has never seen.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select

from zhike.common.privacy import mask_text
from zhike.lib.handoff.models import Conversation
from zhike.lib.tags import RulesInvalid
from zhike.servers.desk.assist import services
from zhike.servers.desk.auth import DeskSession
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import current_session, read_json, require_supervisor
from zhike.servers.desk.serializers import iso
from zhike.servers.desk.tags_db import (
    MAX_MANUAL_TAG,
    StoredTag,
    add_manual_tag,
    computed_at,
    customer_tags,
    popular_manual_tags,
    remove_manual_tag,
    segments,
)
from zhike.servers.desk.tags_service import tag_service

logger = logging.getLogger(__name__)

CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_MANUAL_TAGS = 20
QUEUED = "queued"


def tag_json(tag: StoredTag) -> dict[str, Any]:
    """A stored tag as the page reads it."""
    return {
        "tag": tag.tag,
        "value": tag.value,
        "label": tag.label,
        "colour": tag.colour,
        "source": tag.source,
        "reason": tag.reason,
        "created_by": tag.created_by,
        "created_at": iso(tag.created_at),
    }


def manual_text(body: dict[str, Any]) -> str:
    """The manual tag of a request body, trimmed; 400 when empty, too long or unprintable."""
    raw = body.get("tag")
    if not isinstance(raw, str):
        raise DeskError(400, "invalid_tag", "tag must be a string")
    text = " ".join(raw.split())
    if not text:
        raise DeskError(400, "tag_empty", "the tag is empty")
    if len(text) > MAX_MANUAL_TAG:
        raise DeskError(400, "tag_too_long", f"a tag has at most {MAX_MANUAL_TAG} characters")
    if any(unicodedata.category(char)[0] == "C" for char in text):
        raise DeskError(400, "invalid_characters", "the tag holds control characters")
    if mask_text(text) != text:  # every agent of the customer sees the tags
        raise DeskError(400, "tag_personal_data", "a tag must not hold a phone or ID number")
    return text


def check_customer_id(customer_id: str) -> str:
    """A well-formed customer id; else 400 ``invalid_customer_id``."""
    if not CUSTOMER_ID.match(customer_id):
        raise DeskError(400, "invalid_customer_id", "customer ids are 1-64 of A-Z a-z 0-9 _ . : -")
    return customer_id


async def check_access(
    desk: DeskContext, session: DeskSession, customer_id: str, write: bool
) -> None:
    """Refuses a caller who may not read (or ``write``) the customer's tags (403/404)."""
    query = select(Conversation.agent_id, Conversation.skill_group, Conversation.state).where(
        Conversation.customer_id == customer_id
    )
    async with desk.handoff.db.session() as db_session:
        rows = (await db_session.execute(query)).all()
    if not rows and not (
        session.account.supervisor and await customer_tags(desk.auth.db, customer_id)
    ):
        raise DeskError(404, "customer_not_found", "the desk has no conversation of this customer")
    if session.account.supervisor:
        return
    me = session.account.agent_id
    if any(agent_id == me for agent_id, _, _ in rows):
        return
    if not write:
        groups = await desk.groups(session.account)
        if any(state == QUEUED and group in groups for _, group, state in rows):
            return
    raise DeskError(403, "not_your_customer", "only agents serving this customer may do this")


async def tags_document(request: Request, customer_id: str) -> dict[str, Any]:
    """The answer of every customer-tags route."""
    desk: DeskContext = request.app.ctx.desk
    tags = await customer_tags(desk.auth.db, customer_id)
    return {
        "customer_id": customer_id,
        "tags": [tag_json(tag) for tag in tags],
        "suggestions": await popular_manual_tags(desk.auth.db),
    }


# The background job has not computed this customer's automatic tags yet (a few seconds).
PENDING = {"part": "auto", "error": "tags_pending", "message": "自动标签正在计算，请稍后刷新"}


def tags_blueprint() -> Blueprint:
    """The customer-tags and segment routes."""
    bp = Blueprint("desk_tags")

    @bp.get("/customers/<customer_id:str>/tags")
    async def get_tags(request: Request, customer_id: str) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        check_customer_id(customer_id)
        await check_access(desk, current_session(request), customer_id, write=False)
        errors = []
        services(request.app)  # the backend client the assist routes use, built once
        try:
            await tag_service(request.app).rules()  # read once; nothing is computed here
        except RulesInvalid as error:
            logger.error("tags: the rules file is invalid:\n%s", error)
            errors.append({"part": "auto", "error": "rules_invalid", "message": "自动标签规则有误"})
        else:
            if await computed_at(desk.auth.db, customer_id) is None:
                errors.append(PENDING)
        return json_response({**await tags_document(request, customer_id), "errors": errors})

    @bp.post("/customers/<customer_id:str>/tags")
    async def add_tag(request: Request, customer_id: str) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        session = current_session(request)
        check_customer_id(customer_id)
        text = manual_text(read_json(request))
        await check_access(desk, session, customer_id, write=True)
        try:
            created = await add_manual_tag(
                desk.auth.db, customer_id, text, session.account.username, MAX_MANUAL_TAGS
            )
        except ValueError:
            raise DeskError(
                400, "too_many_tags", f"a customer has at most {MAX_MANUAL_TAGS} manual tags"
            ) from None
        document = {**await tags_document(request, customer_id), "errors": []}
        return json_response(document, status=201 if created else 200)

    @bp.delete("/customers/<customer_id:str>/tags", ignore_body=False)
    async def remove_tag(request: Request, customer_id: str) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        check_customer_id(customer_id)
        text = manual_text(read_json(request))
        await check_access(desk, current_session(request), customer_id, write=True)
        if not await remove_manual_tag(desk.auth.db, customer_id, text):
            raise DeskError(404, "tag_not_found", "the customer has no such manual tag")
        return json_response({**await tags_document(request, customer_id), "errors": []})

    @bp.get("/tags/segments")
    async def get_segments(request: Request) -> HTTPResponse:
        require_supervisor(request)
        desk: DeskContext = request.app.ctx.desk
        rows = [
            {
                "tag": segment.tag if not segment.value else f"{segment.tag}:{segment.value}",
                "label": segment.label,
                "customers": segment.customers,
                "source": segment.source,
                "colour": segment.colour,
            }
            for segment in await segments(desk.auth.db)
        ]
        return json_response({"rows": rows})

    return bp
