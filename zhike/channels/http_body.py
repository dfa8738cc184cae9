"""Reading a customer's JSON request body safely, for the HTTP channels (REST, app).

Anything that is not what the channel expects is a 400 with a JSON error, never a 500
or a stack trace: a body over :data:`MAX_BODY_BYTES` (413), bytes that are not UTF-8, a
NUL character, malformed JSON, JSON nested deeper than :data:`MAX_DEPTH`, a top level
that is not an object, and strings that cannot be stored (lone UTF-16 surrogates).
"""

from __future__ import annotations

import json
from typing import Any

from sanic import response
from sanic.response import HTTPResponse

from zhike.channels.limits import TRUNCATED_NOTICE, cap_user_text

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32


class BadBody(Exception):
    """The request body is refused.

    Attributes:
        status: the HTTP status to answer (400 or 413).
        code: machine-readable error code.
        message: what is wrong, in English, for the developer of the client.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> HTTPResponse:
        """The JSON error answer."""
        return error(self.status, self.code, self.message)


def error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """A JSON error answer ``{"error": code, "message": message}``."""
    return response.json({"error": code, "message": message}, status=status, headers=headers)


def json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object.

    Raises:
        BadBody: too large, not UTF-8, containing NUL, malformed, too deep, not an object,
            or with a string that is not valid Unicode.
    """
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(413, "body_too_large", f"the request body exceeds {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(400, "invalid_encoding", "the request body is not UTF-8") from None
    if "\x00" in text:
        raise BadBody(400, "invalid_encoding", "the request body contains a NUL character")
    if _nesting(text) > MAX_DEPTH:
        raise BadBody(400, "malformed_json", f"the JSON is nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BadBody(400, "malformed_json", "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadBody(400, "malformed_json", "the request body must be a JSON object")
    _check_strings(data)
    return data


def _nesting(text: str) -> int:
    """The deepest bracket nesting outside JSON strings (an upper bound of the JSON's depth)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_strings(value: Any) -> None:
    """Refuses NUL characters and lone surrogates (escaped in the JSON) in any string."""
    problem = value_problem(value)
    if problem is not None:
        raise BadBody(400, "invalid_encoding", problem)


def value_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """What makes a parsed JSON value unfit to store (``None``: nothing).

    A string with a NUL character or a lone UTF-16 surrogate, or nesting deeper than
    ``max_depth``.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= max_depth:
                return f"nested deeper than {max_depth} levels"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if "\x00" in item:
                return "a string contains a NUL character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a string contains a lone UTF-16 surrogate"
    return None


def message_text(data: dict[str, Any], key: str = "message") -> tuple[str, bool]:
    """The customer's text in ``data[key]``, capped (see :func:`cap_user_text`).

    Returns:
        The text (surrounding white space removed) and whether it was cut.

    Raises:
        BadBody: not a string, or empty after removing white space.
    """
    message = data.get(key)
    if not isinstance(message, str):
        raise BadBody(400, "invalid_message", f"{key} must be a string")
    capped = cap_user_text(message)
    if not capped.text:
        raise BadBody(400, "empty_message", f"{key} must not be empty")
    return capped.text, capped.truncated


def truncated_notice(recipient_id: str) -> dict[str, Any]:
    """The polite bot message that says only the beginning of a long message was read."""
    return {"recipient_id": recipient_id, "text": TRUNCATED_NOTICE}
