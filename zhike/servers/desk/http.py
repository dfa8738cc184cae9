"""Request helpers of the desk API: the JSON body, typed fields and who is asking."""

from __future__ import annotations

import json
from typing import Any

from sanic.request import Request

from zhike.servers.desk.auth import DeskSession
from zhike.servers.desk.errors import DeskError

MAX_DEPTH = 16


def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object body.

    Raises:
        DeskError: 415 when the body is not declared ``application/json``, 400
            ``malformed_json`` when it is not UTF-8 JSON, 400 ``invalid_body`` when it
            is not a JSON object or nested deeper than :data:`MAX_DEPTH`, 400
            ``invalid_characters`` when a string holds NUL or a lone surrogate.
    """
    cached: dict[str, Any] | None = getattr(request.ctx, "json_body", None)
    if cached is not None:
        return cached
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise DeskError(415, "unsupported_media_type", "send the body as application/json")
    try:
        body = json.loads((request.body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DeskError(400, "malformed_json", "the body is not valid UTF-8 JSON") from None
    if not isinstance(body, dict):
        raise DeskError(400, "invalid_body", "the body must be a JSON object")
    check_values(body)
    request.ctx.json_body = body
    return body


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\ud800 in the JSON)
        return False
    return True


def check_values(body: dict[str, Any]) -> None:
    """Refuses a body nested too deeply or with a string no database or page can take."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise DeskError(400, "invalid_body", f"the body is nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            for key, item in value.items():
                pending.extend(((key, depth), (item, depth + 1)))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            raise DeskError(
                400, "invalid_characters", "text must not hold NUL characters or lone surrogates"
            )


def text_field(
    body: dict[str, Any], name: str, max_length: int, required: bool = True
) -> str | None:
    """A string field of at most ``max_length`` characters, not blank when required."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise DeskError(400, f"invalid_{name}", f"{name} must be a string")
    if required and not value.strip():
        raise DeskError(400, f"invalid_{name}", f"{name} must not be empty")
    if len(value) > max_length:
        raise DeskError(400, f"invalid_{name}", f"{name} is longer than {max_length} characters")
    return value


def bool_field(body: dict[str, Any], name: str) -> bool:
    """A required boolean field."""
    value = body.get(name)
    if not isinstance(value, bool):
        raise DeskError(400, f"invalid_{name}", f"{name} must be true or false")
    return value


def int_query(request: Request, name: str, default: int) -> int:
    """A non-negative integer query parameter."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise DeskError(400, f"invalid_{name}", f"{name} must be a non-negative integer")
    return int(raw)


def current_session(request: Request) -> DeskSession:
    """The session the guard middleware attached to ``request``."""
    session: DeskSession | None = getattr(request.ctx, "desk_session", None)
    if session is None:  # pragma: no cover - the guard refuses such requests earlier
        raise DeskError(401, "unauthenticated", "log in first")
    return session


def require_supervisor(request: Request) -> DeskSession:
    """The session, if it belongs to a supervisor; else 403 ``supervisor_only``."""
    session = current_session(request)
    if not session.account.supervisor:
        raise DeskError(403, "supervisor_only", "this route is for supervisors")
    return session
