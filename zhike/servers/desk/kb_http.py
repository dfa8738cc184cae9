"""Request helpers of the knowledge-base API: who is asking, the entry body, the query.

A caller is either a logged-in desk account, acting in the knowledge base with the
role of the same name (``agent`` reads only; see :mod:`zhike.lib.kb.permissions`), or a
trusted process presenting ``Authorization: Bearer <ZHIKE_KB_SERVICE_TOKEN>``, acting
as ``Actor("service", "service")``.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict
from typing import Any

from sanic.request import Request

from zhike.lib.kb.domain import (
    AGENT,
    EDITOR,
    REVIEWER,
    SERVICE,
    STATUSES,
    SUPERVISOR,
    Actor,
    EntryDraft,
    HistoryRecord,
    Page,
)
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.validation import draft_from_mapping
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.http import current_session, read_json

KB_PREFIX = "/api/kb/v1"
IMPORT_PATH = f"{KB_PREFIX}/import"
SERVICE_NAME = "service"
# A desk account's role -> its knowledge-base role (an unknown one only reads).
KB_ROLES = {AGENT: AGENT, SUPERVISOR: SUPERVISOR, EDITOR: EDITOR, REVIEWER: REVIEWER}
MAX_QUERY = 200
MAX_PER_PAGE = 100
# Fields of a write body that are not the entry's content.
_CONTROL_FIELDS = ("expected_version", "comment")


def service_actor(request: Request, token: str | None) -> Actor | None:
    """The service actor when the request carries a bearer token; ``None`` without one.

    Raises:
        DeskError: 401 ``invalid_token`` for an ``Authorization`` header that is not the
            configured service token (or when none is configured).
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, presented = header.strip().partition(" ")
    presented = presented.strip()
    expected = (token or "").encode("utf-8")
    given = presented.encode("utf-8", "surrogateescape")
    # compare_digest even when no token is configured, so timing does not tell.
    matches = hmac.compare_digest(given, expected or b"\x00" * 32)
    if scheme.lower() != "bearer" or not token or not matches:
        raise DeskError(401, "invalid_token", "the service token is missing or wrong")
    return Actor(SERVICE_NAME, SERVICE)


def kb_actor(request: Request) -> Actor:
    """Who acts: the service, or the logged-in account with its knowledge-base role."""
    service: Actor | None = getattr(request.ctx, "kb_actor", None)
    if service is not None:
        return service
    account = current_session(request).account
    return Actor(account.username, KB_ROLES.get(account.role, AGENT))


def knowledge(request: Request) -> KnowledgeBase:
    """The desk's knowledge base; 503 ``kb_unavailable`` when this desk has none."""
    kb: KnowledgeBase | None = getattr(request.app.ctx.desk, "kb", None)
    if kb is None:
        raise DeskError(503, "kb_unavailable", "this desk has no knowledge base")
    return kb


def expected_version(body: dict[str, Any]) -> int | None:
    """The optional ``expected_version`` of a write (a positive integer)."""
    value = body.get("expected_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DeskError(400, "invalid_expected_version", "expected_version must be an integer")
    return value


def comment(body: dict[str, Any]) -> str | None:
    """The optional ``comment`` of a write (the knowledge base checks its length)."""
    value = body.get("comment")
    if value is not None and not isinstance(value, str):
        raise DeskError(400, "invalid_comment", "comment must be a string")
    return value


def write_body(request: Request) -> dict[str, Any]:
    """The JSON object body of a write; an empty body is ``{}``."""
    return read_json(request) if request.body else {}


def draft_body(
    request: Request, control: tuple[str, ...] = ()
) -> tuple[EntryDraft, dict[str, Any]]:
    """The entry content of a create or update body and the whole body.

    ``control`` names further fields of the body that are not content (``publish``).
    Content fields: ``question``, ``answer``, ``similar`` (a list, or text joined by
    ``||``), ``category``, ``buttons``, ``link``, ``channel_answers``, ``valid_from``,
    ``valid_to``; ``id``, ``status`` and ``version`` (as in an export) are ignored.

    Raises:
        InvalidEntry: 400 naming the bad ``field``.
    """
    body = read_json(request)
    content = {k: v for k, v in body.items() if k not in _CONTROL_FIELDS + control}
    draft, _status = draft_from_mapping(content)  # status goes through the review routes
    return draft, body


def listing_query(request: Request) -> dict[str, Any]:
    """``q``, ``status``, ``category``, ``page`` and ``per_page`` of ``GET /entries``."""
    query = (request.args.get("q") or "").strip()
    if len(query) > MAX_QUERY:
        raise DeskError(400, "invalid_q", f"q is longer than {MAX_QUERY} characters")
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise DeskError(400, "invalid_status", f"status must be one of {', '.join(STATUSES)}")
    return {
        "query": query or None,
        "status": status,
        "category": request.args.get("category") or None,
        "page": max(1, int_arg(request, "page", 1)),
        "per_page": min(max(1, int_arg(request, "per_page", 20)), MAX_PER_PAGE),
    }


def int_arg(request: Request, name: str, default: int) -> int:
    """A non-negative integer query argument (at most 6 digits); ``default`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise DeskError(400, f"invalid_{name}", f"{name} must be a positive integer")
    return int(raw)


def page_json(page: Page) -> dict[str, Any]:
    """A listing page: its entries, the total matching and where it is."""
    return {
        "entries": [entry.to_dict() for entry in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }


def history_json(record: HistoryRecord) -> dict[str, Any]:
    """One version of an entry: who did what when, and the entry right after it."""
    data = asdict(record)
    data["at"] = record.at.isoformat()
    data["snapshot"] = dict(record.snapshot)
    return data
