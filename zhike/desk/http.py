"""Request helpers of the desk API: the JSON body, typed fields and who is asking."""

from __future__ import annotations

import json
from typing import Any

from sanic.request import Request

from zhike.desk.auth import DeskSession
from zhike.desk.errors import DeskError


def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object body.

    Raises:
        DeskError: 415 when the body is not declared ``application/json``, 400
            ``malformed_json`` when it does not parse, 400 ``invalid_body`` when it is not
            a JSON object.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise DeskError(415, "unsupported_media_type", "send the body as application/json")
    try:
        body = json.loads(request.body or b"")
    except (UnicodeDecodeError, ValueError):
        raise DeskError(400, "malformed_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise DeskError(400, "invalid_body", "the body must be a JSON object")
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
    if not raw.isdigit() or len(raw) > 9:
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
