"""JSON responses and the desk's error contract ``{"error": code, "message": ...}``.

Every refusal is a :class:`DeskError` with an HTTP status; :data:`HANDOFF_STATUS` is the
one place where the handoff library's exceptions become HTTP statuses, and
:func:`kb_error_response` the one place where the knowledge base's
(:class:`~zhike.lib.kb.errors.KbError`, which carries its status) become responses: an
import's bad rows come as ``"errors": [{"line": 3, "reason": ...}]``. Unexpected
exceptions become a generic 500 whose body carries no traceback (it is logged). Error
messages are masked (:func:`zhike.common.privacy.mask_text`): no phone or ID-card number is
echoed back.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json

from zhike.common.privacy import mask_text
from zhike.lib.handoff.errors import (
    AgentAtCapacity,
    HandoffError,
    HandoffUnavailable,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
)
from zhike.lib.kb.errors import ImportFileError, KbError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/json; charset=utf-8"


def dumps(value: Any, **_options: Any) -> str:
    """Compact JSON, non-ASCII text readable; escaped when it holds a lone surrogate."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # not encodable as UTF-8: \ud800 escapes are valid JSON
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


# The handoff library's exception classes -> HTTP status (the most specific class wins,
# so AlreadyAccepted and AlreadyRated, both InvalidState, answer 409 too).
HANDOFF_STATUS: dict[type[HandoffError], int] = {
    InvalidInput: 400,
    NotFound: 404,
    NotAllowed: 403,
    InvalidState: 409,
    AgentAtCapacity: 409,
    IdempotencyConflict: 409,
    HandoffUnavailable: 503,
}

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    417: "expectation_failed",
    429: "too_many_requests",
}


class DeskError(SanicException):
    """A refusal answered to the client as ``{"error": code, "message": message}``.

    Attributes:
        code: A stable machine-readable code, e.g. ``csrf_failed``.
        message: A human-readable explanation (English).
        headers: Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, status_code=status, quiet=True)
        self.code = code
        self.message = message
        self.headers = headers or {}


def handoff_status(error: HandoffError) -> int:
    """The HTTP status of a handoff refusal (500 for an unmapped class)."""
    for cls in type(error).__mro__:
        if cls in HANDOFF_STATUS:
            return HANDOFF_STATUS[cls]
    return 500


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """A UTF-8 JSON response (non-ASCII text stays readable)."""
    return sanic_json(body, status=status, headers=headers, content_type=CONTENT_TYPE, dumps=dumps)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """The error document with ``status`` (the message masked)."""
    body = {"error": code, "message": mask_text(message)}
    return json_response(body, status=status, headers=headers)


def kb_error_response(error: KbError) -> HTTPResponse:
    """The response to a knowledge-base refusal: its status, code, message, line, field.

    A status outside 400-599 (a programming error) is answered 500.
    """
    status = error.status if 400 <= error.status < 600 else 500
    body: dict[str, Any] = {"error": error.code, "message": mask_text(error.message)}
    if error.line is not None:
        body["line"] = error.line
    if error.field is not None:
        body["field"] = error.field
    if isinstance(error, ImportFileError):
        body["errors"] = [{"line": e.line, "reason": mask_text(e.reason)} for e in error.errors]
    return json_response(body, status=status)


async def handle_exception(request: Request, exception: Exception) -> HTTPResponse:
    """Turns any exception raised while serving ``request`` into the JSON error contract."""
    if isinstance(exception, DeskError):
        return error_response(
            exception.status_code, exception.code, exception.message, exception.headers
        )
    if isinstance(exception, KbError):
        if exception.status >= 500:
            logger.warning(
                "Knowledge base failed on %s %s: %s",
                request.method,
                request.path,
                exception.message,
            )
        return kb_error_response(exception)
    if isinstance(exception, HandoffError):
        status = handoff_status(exception)
        if status < 500:
            return error_response(status, exception.code, exception.message)
    elif isinstance(exception, SanicException):
        status = int(getattr(exception, "status_code", 500) or 500)
        if status < 500:
            code = _CODES_BY_STATUS.get(status, "client_error")
            return error_response(status, code, str(exception) or code)
    logger.error("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
    return error_response(500, "internal_error", "internal server error")


def install_error_handling(app: Sanic) -> None:
    """Routes every exception of ``app`` through :func:`handle_exception`."""
    app.exception(Exception)(handle_exception)
