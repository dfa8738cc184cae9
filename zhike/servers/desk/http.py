"""Request helpers of the desk API: the JSON body, typed fields and who is asking."""

from __future__ import annotations

from typing import Any

from sanic.request import Request

from zhike.common.json_body import JsonBodyError, is_json_media_type, parse_json
from zhike.servers.desk.auth import DeskSession
from zhike.servers.desk.errors import DeskError

MAX_DEPTH = 16


# What the desk answers (code, message), by what is wrong with the body.
_REFUSALS = {
    "encoding": ("malformed_json", "the body is not valid UTF-8 JSON"),
    "syntax": ("malformed_json", "the body is not valid UTF-8 JSON"),
    "depth": ("invalid_body", f"the body is nested deeper than {MAX_DEPTH}"),
    "not_object": ("invalid_body", "the body must be a JSON object"),
    "characters": ("invalid_characters", "text must not hold NUL characters or lone surrogates"),
}


def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object body (read by :func:`zhike.common.json_body.parse_json`).

    Raises:
        DeskError: 415 when the body is not declared ``application/json``, 400
            ``malformed_json`` when it is not UTF-8 JSON, 400 ``invalid_body`` when it
            is not a JSON object or nested deeper than :data:`MAX_DEPTH`, 400
            ``invalid_characters`` when a string holds NUL or a lone surrogate.
    """
    cached: dict[str, Any] | None = getattr(request.ctx, "json_body", None)
    if cached is not None:
        return cached
    if not is_json_media_type(request.headers.get("content-type")):
        raise DeskError(415, "unsupported_media_type", "send the body as application/json")
    try:
        body: dict[str, Any] = parse_json(request.body or b"", MAX_DEPTH, require_object=True)
    except JsonBodyError as error:
        code, message = _REFUSALS[error.kind]
        raise DeskError(400, code, message) from None
    request.ctx.json_body = body
    return body


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
