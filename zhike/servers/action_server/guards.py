"""What the action server checks before rasa_sdk runs an action, and how it answers errors.

* **Authentication.** Every request but ``GET /health`` carries the shared secret in the
  header ``X-Zhike-Action-Token`` (compared in constant time with ``ZHIKE_ACTION_TOKEN``);
  a missing or wrong one gets ``401 {"error": "unauthorized"}``.
* **The action call.** ``POST /webhook`` must be a JSON object (optionally
  ``Content-Encoding: deflate``, as Rasa sends with ``COMPRESS_ACTION_SERVER_REQUEST``)
  with a non-empty string ``next_action`` and an object ``tracker`` whose ``sender_id``
  is a non-empty string; anything else is ``400``. A deflated body is inflated at most to
  the body limit (``413`` beyond it), so a small "zip bomb" cannot exhaust memory.
* **Errors.** 400, 401, 404, 405, 408, 413 and 503 keep their status with a short JSON
  body; anything unexpected is a generic ``500``. No answer repeats the request body or
  an exception's text; unexpected errors are logged (personal data masked) for operators.
"""

from __future__ import annotations

import hmac
import logging
import traceback
import zlib
from collections.abc import Callable, Coroutine
from typing import Any

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse
from sanic.response import json as json_response

from zhike.common.json_body import JsonBodyError, parse_json
from zhike.common.privacy import mask_text

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Zhike-Action-Token"
TOKEN_ENV = "ZHIKE_ACTION_TOKEN"
WEBHOOK_PATH = "/webhook"
HEALTH_PATH = "/health"
MAX_DEPTH = 64  # a tracker's events, slots and entities; far deeper is an attack

# The short, fixed texts of the answers (never derived from the request).
ERRORS = {
    400: "bad request",
    401: "unauthorized",
    404: "not found",
    405: "method not allowed",
    408: "request timeout",
    413: "payload too large",
    503: "service unavailable",
}
GENERIC_ERROR = "internal error"

Middleware = Callable[[Request], Coroutine[Any, Any, HTTPResponse | None]]


class InvalidActionCall(Exception):
    """A ``POST /webhook`` body that is not an action call (``status``: 400 or 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def error_response(status: int, reason: str | None = None) -> HTTPResponse:
    """``{"error": ...}`` with a fixed text for ``status`` (or the given fixed reason)."""
    return json_response({"error": reason or ERRORS.get(status, GENERIC_ERROR)}, status=status)


def inflate(body: bytes, limit: int) -> bytes:
    """A deflate (zlib) body inflated to at most ``limit`` bytes.

    Raises:
        InvalidActionCall: 400 for a corrupt stream, 413 when it inflates beyond ``limit``.
    """
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, limit)
        if inflater.unconsumed_tail:
            raise InvalidActionCall(413, ERRORS[413])
        data += inflater.flush()
    except zlib.error as error:
        raise InvalidActionCall(400, "body is not valid deflate data") from error
    if len(data) > limit or not inflater.eof:
        raise InvalidActionCall(413 if len(data) > limit else 400, "incomplete deflate data")
    return data


def parse_action_call(body: bytes, content_encoding: str | None, limit: int) -> dict[str, Any]:
    """The action call of a ``POST /webhook`` body, checked for the fields rasa_sdk needs.

    Raises:
        InvalidActionCall: what is wrong, in fixed words (never the body's content).
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "deflate":
        body = inflate(body, limit)
    elif encoding != "identity":
        raise InvalidActionCall(400, "unsupported content encoding")
    try:
        # Rasa's own trackers: their strings are not judged here, only the structure.
        call = parse_json(body, MAX_DEPTH, require_object=True, check_strings=False)
    except JsonBodyError as error:
        reason = "body is not a JSON object" if error.kind == "not_object" else "body is not JSON"
        raise InvalidActionCall(400, reason) from None
    action = call.get("next_action")
    if not isinstance(action, str) or not action:
        raise InvalidActionCall(400, "next_action is missing")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict):
        raise InvalidActionCall(400, "tracker is missing")
    sender = tracker.get("sender_id")
    if not isinstance(sender, str) or not sender:
        raise InvalidActionCall(400, "tracker.sender_id is missing")
    for field, kind in (("slots", dict), ("events", list), ("latest_message", dict)):
        if tracker.get(field) is not None and not isinstance(tracker[field], kind):
            raise InvalidActionCall(400, f"tracker.{field} has the wrong type")
    if call.get("domain") is not None and not isinstance(call["domain"], dict):
        raise InvalidActionCall(400, "domain has the wrong type")
    return call


def authenticator(token: str | None) -> Middleware:
    """Request middleware refusing requests without the shared secret (none: accept all)."""
    expected = token.encode("utf-8") if token else None

    async def authenticate(request: Request) -> HTTPResponse | None:
        if expected is None or (request.method == "GET" and request.path == HEALTH_PATH):
            return None
        given = request.headers.get(TOKEN_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return error_response(401)
        return None

    return authenticate


def action_call_checker(limit: int) -> Middleware:
    """Request middleware answering 400/413 to a ``POST /webhook`` that is no action call.

    A valid call is left parsed in ``request.parsed_json``, which rasa_sdk's handler reads
    (the body is not parsed twice).
    """

    async def check(request: Request) -> HTTPResponse | None:
        if request.method != "POST" or request.path != WEBHOOK_PATH:
            return None
        if request.stream is not None and request.stream.request_body:
            # Sanic also runs request middleware before answering an error raised while
            # the body was read (413): the body is incomplete, the error handler answers.
            return None
        try:
            call = parse_action_call(
                request.body or b"", request.headers.get("Content-Encoding"), limit
            )
        except InvalidActionCall as error:
            return error_response(error.status, error.reason)
        request.parsed_json = call  # type: ignore[assignment]
        return None

    return check


async def hide_unknown_action(request: Request, response: BaseHTTPResponse) -> HTTPResponse | None:
    """Response middleware: rasa_sdk's 404 for an unknown action repeats its name; not ours."""
    if request.path == WEBHOOK_PATH and response.status == 404:
        return error_response(404, "unknown action")
    return None


async def handle_error(request: Request | None, exception: BaseException) -> HTTPResponse:
    """The answer to any exception: its 4xx/503 status with a fixed text, else a 500."""
    if isinstance(exception, SanicException):
        status = int(getattr(exception, "status_code", 500) or 500)
        if status in ERRORS:
            return error_response(status)
    method = getattr(request, "method", "?")
    path = getattr(request, "path", "?")
    details = "".join(
        traceback.format_exception(type(exception), exception, exception.__traceback__)
    )
    logger.error("Unexpected error answering %s %s: %s", method, path, mask_text(details))
    return error_response(500, GENERIC_ERROR)


def install_guards(app: Sanic, token: str | None, limit: int) -> None:
    """Puts authentication, the action-call check and the error answers on ``app``."""
    app.register_middleware(authenticator(token), "request")
    app.register_middleware(action_call_checker(limit), "request")
    app.register_middleware(hide_unknown_action, "response")
    app.error_handler.add(Exception, handle_error)
