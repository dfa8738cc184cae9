"""Request parsing shared by the route handlers (bodies, times, the database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanic.request import Request

from zhike.servers.backend.bodies import body_value
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError

API_PREFIX = "/api/v1"


def database(request: Request) -> Database:
    """The app's :class:`~zhike.servers.backend.db.Database` (opened at server start)."""
    db: Database = request.app.ctx.db
    return db


class Body:
    """A JSON request object whose missing fields read as ``None`` (``body["reason"]``).

    Values are passed to the service functions as they are: those check types and
    contents and refuse with the contract's error codes.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, name: str) -> Any:
        return self._data.get(name)


def json_body(request: Request) -> Body:
    """The request body as a JSON object (an empty body is ``{}``).

    The body was checked by :func:`zhike.servers.backend.bodies.read_body` (content type,
    encoding, depth, NUL characters and lone surrogates).

    Raises:
        ApiError: 400 ``invalid_json`` for malformed JSON or a body that is no object;
            415 and 400 from :mod:`zhike.servers.backend.bodies`.
    """
    body = body_value(request)
    if body is None and not request.body:
        return Body({})
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "请求体必须是 JSON 对象")
    return Body(body)


def optional_time(value: Any, code: str = "invalid_time") -> datetime | None:
    """An ISO 8601 time with offset (``Z`` allowed), or ``None`` for null/empty.

    Raises:
        ApiError: 422 ``code`` for anything else, including a time without offset.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    raise ApiError(
        422, code, "时间格式不正确：应为带时区的 ISO 8601 时间，如 2024-11-24T10:00:00+08:00"
    )
