"""Agent assist routes: NLU and knowledge suggestions, customer context, tickets, canned answers.

- ``GET /conversations/<id>/assist``: Rasa's NLU result for the customer's last message
  and the top 3 published knowledge-base entries for it, found by the same retrieval
  the robot answers with (the desk's :class:`~zhike.lib.kb.live.LiveKnowledge`).
- ``GET /conversations/<id>/context``: profile, orders, lessons, open tickets, the bot
  transcript and the customer's earlier conversations (with their ratings).
- ``POST /conversations/<id>/ticket``: a ticket for the conversation's customer.
- ``GET /canned``: the canned answers of ``canned.yml``.

The same visibility rules as the transcript apply (:func:`visible_conversation`). The
collaborators (:class:`AssistServices`) are built on first use from the settings and
``client_from_env()``, or set on ``app.ctx.desk_assist`` beforehand (tests).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.common.privacy import mask_text
from zhike.lib.backend_client import (
    BackendClient,
    BackendError,
    BackendUnavailable,
    client_from_env,
)
from zhike.lib.backend_client.domain import TICKET_CATEGORIES
from zhike.lib.handoff import HandoffError
from zhike.lib.kb.live import KnowledgeUnavailable, LiveKnowledge
from zhike.servers.desk.api import visible_conversation
from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.context import DeskContext
from zhike.servers.desk.customer_context import conversation_context, part_error
from zhike.servers.desk.delivery.rasa_api import RasaApiError, RasaConversations
from zhike.servers.desk.errors import DeskError, json_response
from zhike.servers.desk.http import current_session, read_json, text_field
from zhike.servers.desk.inbox import history
from zhike.servers.desk.kb_queue import lookup_json
from zhike.servers.desk.qa_live import customer_masker

logger = logging.getLogger(__name__)

CANNED_PATH = Path(__file__).with_name("canned.yml")
SUGGESTIONS = 3
MAX_SUMMARY = 2000
_CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class AssistServices:
    """What the assist routes read from.

    Attributes:
        backend: The business backend (profile, orders, lessons, tickets).
        rasa: Rasa's read API, or None when no Rasa server is configured.
        canned_path: The YAML file of canned answers.

    The backend client's connection pool lives as long as the desk process (it is opened
    lazily per event loop and needs no closing before the process exits).
    """

    backend: BackendClient
    rasa: RasaConversations | None = None
    canned_path: Path = CANNED_PATH
    _canned: list[dict[str, Any]] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(
        cls, settings: DeskSettings, backend: BackendClient | None = None
    ) -> AssistServices:
        """Services for ``settings``; the backend defaults to ``client_from_env()``."""
        rasa = None
        if settings.rasa_url:
            rasa = RasaConversations(
                settings.rasa_url, settings.rasa_token, settings.assist_timeout
            )
        return cls(backend=backend or client_from_env(), rasa=rasa)

    async def canned(self) -> list[dict[str, Any]]:
        """The canned answer groups, read once (in a worker thread)."""
        if self._canned is None:
            self._canned = await asyncio.to_thread(load_canned, self.canned_path)
        return self._canned


def load_canned(path: Path) -> list[dict[str, Any]]:
    """The groups of a canned-answers file: ``[{id, title, answers: [{id, text}]}]``."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream) or {}
    groups = []
    for group in document.get("groups") or []:
        answers = [str(text).strip() for text in group.get("answers") or [] if str(text).strip()]
        groups.append(
            {
                "id": str(group["id"]),
                "title": str(group.get("title") or group["id"]),
                "answers": [
                    {"id": f"{group['id']}.{n}", "text": text}
                    for n, text in enumerate(answers, start=1)
                ],
            }
        )
    return groups


def services(app: Sanic) -> AssistServices:
    """The app's assist services, built from its settings on first use."""
    current: AssistServices | None = getattr(app.ctx, "desk_assist", None)
    if current is None:
        desk: DeskContext = app.ctx.desk
        current = AssistServices.from_settings(desk.settings)
        app.ctx.desk_assist = current
    return current


def nlu_json(parsed: dict[str, Any]) -> dict[str, Any]:
    """The intent (name, confidence) and entities of a Rasa parse result, values masked."""
    intent = parsed.get("intent") if isinstance(parsed.get("intent"), dict) else None
    entities = []
    for entity in parsed.get("entities") or []:
        if not isinstance(entity, dict):
            continue
        value = entity.get("value")
        entities.append(
            {
                "entity": entity.get("entity"),
                "value": mask_text(value) if isinstance(value, str) else value,
                "confidence": entity.get("confidence_entity"),
                "start": entity.get("start"),
                "end": entity.get("end"),
            }
        )
    return {
        "intent": (
            {"name": intent.get("name"), "confidence": intent.get("confidence")} if intent else None
        ),
        "entities": entities,
    }


async def assist_document(
    helpers: AssistServices, live: LiveKnowledge | None, text: str
) -> dict[str, Any]:
    """NLU (from Rasa) and the top published entries (from the knowledge base) for ``text``.

    ``decision`` is what the robot does with the message: ``answer``, ``suggest`` or
    ``none``; each part that cannot be read is ``null`` (``[]``) and explained in ``errors``.
    """
    errors: list[dict[str, str]] = []
    nlu = None
    if helpers.rasa is None:
        errors.append({"part": "nlu", "error": "rasa_not_configured", "message": "no Rasa URL"})
    else:
        try:
            nlu = nlu_json(await helpers.rasa.parse(text))
        except RasaApiError as exc:
            errors.append({"part": "nlu", "error": "rasa_unavailable", "message": str(exc)})
    found: dict[str, Any] = {"decision": None, "hits": []}
    if live is None:
        errors.append(
            {"part": "suggestions", "error": "kb_unavailable", "message": "no knowledge base"}
        )
    else:
        try:
            found = lookup_json(await live.lookup(text, SUGGESTIONS))
        except KnowledgeUnavailable as exc:
            errors.append({"part": "suggestions", "error": "kb_unavailable", "message": str(exc)})
    return {
        "nlu": nlu,
        "suggestions": found["hits"],
        "decision": found["decision"],
        "errors": errors,
    }


def _ticket_key(body: dict[str, Any], conversation_id: int) -> str:
    client_key = body.get("client_key")
    if client_key is None:
        return f"desk:{conversation_id}:{uuid.uuid4().hex}"
    if not isinstance(client_key, str) or not _CLIENT_KEY.match(client_key):
        raise DeskError(400, "invalid_client_key", "client_key: 1-64 of A-Z a-z 0-9 _ -")
    return f"desk:{conversation_id}:{client_key}"


def assist_blueprint() -> Blueprint:
    """The assist, context, ticket and canned-answer routes."""
    bp = Blueprint("desk_assist")

    @bp.get("/conversations/<conversation_id:int>/assist")
    async def assist(request: Request, conversation_id: int) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        await visible_conversation(desk, current_session(request), conversation_id)
        messages = await desk.handoff.messages(conversation_id)
        last = next((m for m in reversed(messages) if m.direction == "user" and m.text), None)
        if last is None:
            empty: dict[str, Any] = {"nlu": None, "suggestions": [], "decision": None, "errors": []}
            return json_response({"conversation_id": conversation_id, "message": None, **empty})
        document = await assist_document(services(request.app), desk.live, last.text)
        message = {
            "seq": last.seq,
            "text": (await customer_masker(request.app))(mask_text(last.text)),
        }
        return json_response({"conversation_id": conversation_id, "message": message, **document})

    @bp.get("/conversations/<conversation_id:int>/context")
    async def context(request: Request, conversation_id: int) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        info = await visible_conversation(desk, current_session(request), conversation_id)
        helpers = services(request.app)
        document = await conversation_context(helpers.backend, helpers.rasa, info)
        try:
            document["history"] = await history(desk.handoff, info)
        except HandoffError:
            logger.exception("Reading the earlier conversations failed")
            document["history"] = None
            document["errors"].append(
                part_error("history", "handoff_unavailable", "the handoff database failed")
            )
        return json_response(document)

    @bp.post("/conversations/<conversation_id:int>/ticket")
    async def ticket(request: Request, conversation_id: int) -> HTTPResponse:
        desk: DeskContext = request.app.ctx.desk
        session = current_session(request)
        body = read_json(request)
        category = body.get("category")
        if not isinstance(category, str) or category not in TICKET_CATEGORIES:
            raise DeskError(
                400, "invalid_category", f"category must be one of {', '.join(TICKET_CATEGORIES)}"
            )
        summary = (text_field(body, "summary", MAX_SUMMARY) or "").strip()
        key = _ticket_key(body, conversation_id)
        info = await visible_conversation(desk, session, conversation_id)
        if not session.account.supervisor and info.agent_id != session.account.agent_id:
            raise DeskError(403, "not_owner", "only the agent handling it may open a ticket")
        try:
            created = await services(request.app).backend.create_ticket(
                category, mask_text(summary), info.customer_id, info.channel, key
            )
        except BackendUnavailable:
            raise DeskError(503, "backend_unavailable", "the backend is unavailable") from None
        except BackendError as exc:
            status = 400 if exc.status in (400, 422) else 502
            raise DeskError(status, exc.code or "backend_error", exc.message) from None
        return json_response(
            {
                "ticket": {
                    "ticket_id": created.ticket_id,
                    "category": created.category,
                    "status": created.status,
                    "customer_id": created.customer_id,
                }
            },
            status=201,
        )

    @bp.get("/canned")
    async def canned(request: Request) -> HTTPResponse:
        return json_response({"groups": await services(request.app).canned()})

    return bp
