r"""Hostile request bodies: one strict JSON reader (zhike.common.json_body) before every route.

Any request with a body must say ``Content-Type: application/json`` (an optional
``charset=utf-8`` is allowed), else 415. The body must be UTF-8, well-formed JSON without
``NaN``/``Infinity``, nested at most :data:`MAX_DEPTH` levels, and no string (value or key)
may hold a NUL character or a lone UTF-16 surrogate such as a JSON ``\ud800`` escape (which no
database can store): each is a 400 with a fixed message that never echoes the body.
The size limit (413) is Sanic's ``REQUEST_MAX_SIZE``, :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request

from zhike.common.json_body import JsonBodyError, is_json_media_type
from zhike.common.json_body import parse_json as parse_json_body
from zhike.servers.backend.errors import ApiError

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 16
_UNPARSED = object()
_CTX_ATTRIBUTE = "json_body"


def check_content_type(value: str | None) -> None:
    """Refuses anything but ``application/json`` (charset utf-8 allowed).

    Raises:
        ApiError: 415 ``unsupported_media_type``.
    """
    if not is_json_media_type(value):
        raise ApiError(
            415,
            "unsupported_media_type",
            "请求体必须是 UTF-8 编码的 JSON（Content-Type: application/json）",
        )


# What the backend answers (code, Chinese message), by what is wrong with the body.
_REFUSALS = {
    "encoding": ("invalid_encoding", "请求体必须是 UTF-8 编码"),
    "syntax": ("invalid_json", "请求体不是合法的 JSON"),
    "not_object": ("invalid_json", "请求体不是合法的 JSON"),
    "depth": ("invalid_json", f"JSON 嵌套层数不能超过 {MAX_DEPTH} 层"),
    "characters": ("invalid_text", "文本中含有不允许的字符（空字符或无效的 Unicode）"),
}


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body`` after every check of the module docstring.

    Raises:
        ApiError: 400 ``invalid_encoding``, ``invalid_json`` or ``invalid_text``.
    """
    try:
        return parse_json_body(body, MAX_DEPTH)
    except JsonBodyError as error:
        code, message = _REFUSALS[error.kind]
        raise ApiError(400, code, message) from None


def _unread_body(request: Request) -> bool:
    """Whether a non-empty body arrived that Sanic left unread (routes ignoring bodies)."""
    stream = getattr(request, "stream", None)
    pending = getattr(stream, "request_body", None)
    if pending == "chunked":
        return True
    return bool(pending) and bool(getattr(stream, "request_bytes_left", 0))


def read_body(request: Request) -> None:
    """Checks the body of ``request`` once and keeps its value (request middleware).

    Raises:
        ApiError: 415 or 400, see the module docstring.
    """
    if not request.body:
        setattr(request.ctx, _CTX_ATTRIBUTE, None)
        if _unread_body(request):  # a body the route does not read (GET): still only JSON
            check_content_type(request.headers.get("content-type"))
        return
    check_content_type(request.headers.get("content-type"))
    setattr(request.ctx, _CTX_ATTRIBUTE, parse_json(request.body))


def body_value(request: Request) -> Any:
    """The checked JSON value of the body (``None`` when there is none)."""
    value = getattr(request.ctx, _CTX_ATTRIBUTE, _UNPARSED)
    if value is _UNPARSED:
        read_body(request)
        value = getattr(request.ctx, _CTX_ATTRIBUTE)
    return value
