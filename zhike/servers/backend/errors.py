"""JSON responses and the error contract ``{"error": {"code": ..., "message": ...}}``.

Every failure leaves the service as JSON with a fitting status; unexpected exceptions
become a generic 500 whose body never carries a traceback (it is logged instead).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/json; charset=utf-8"
dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))

# Sanic's own refusals (raised before a handler runs), in the contract's language.
_MESSAGES_BY_STATUS = {
    413: "请求体过大",
    408: "请求超时",
}
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "service_unavailable",
}


class ApiError(SanicException):
    """An error answered to the client as is (status, machine code, Chinese-safe message).

    Service functions raise it to refuse a request. Normally the refusal rolls the
    transaction back; with ``keep_changes=True`` the bookkeeping written before the refusal
    (e.g. a wrong one-time-code count) must be committed first, then the error reported
    (:meth:`zhike.servers.backend.db.Database.transaction` does so).

    Attributes:
        code: machine-readable error code, e.g. ``order_not_cancellable``.
        message: the reason, safe to show to a customer (Chinese).
        keep_changes: commit the transaction before reporting the error.
        retry_after: whole seconds until a retry may succeed (a 429's ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        keep_changes: bool = False,
        retry_after: int | None = None,
    ):
        super().__init__(message, status_code=status, quiet=True)
        self.code = code
        self.message = message
        self.keep_changes = keep_changes
        self.retry_after = retry_after


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """A UTF-8 JSON response (non-ASCII text is kept readable, not escaped)."""
    return sanic_json(body, status=status, headers=headers, content_type=CONTENT_TYPE, dumps=dumps)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """The error document with ``status``."""
    return json_response({"error": {"code": code, "message": message}}, status, headers)


async def handle_exception(request: Request, exception: Exception) -> HTTPResponse:
    """Turns any exception raised while serving ``request`` into the JSON error contract."""
    if isinstance(exception, ApiError):
        headers = None
        if exception.retry_after is not None:
            headers = {"Retry-After": str(max(1, int(exception.retry_after)))}
        return error_response(exception.status_code, exception.code, exception.message, headers)
    if isinstance(exception, SanicException):
        status = int(getattr(exception, "status_code", 500) or 500)
        if status < 500:
            code = _CODES_BY_STATUS.get(status, "client_error")
            message = _MESSAGES_BY_STATUS.get(status) or str(exception) or code
            return error_response(status, code, message)
        if status != 500:
            code = _CODES_BY_STATUS.get(status, "server_error")
            return error_response(status, code, "服务暂时不可用，请稍后再试")
    logger.error("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
    return error_response(500, "internal_error", "服务器内部错误，请稍后再试")


def install_error_handling(app: Sanic) -> None:
    """Routes every exception of ``app`` through :func:`handle_exception`."""
    app.exception(Exception)(handle_exception)
