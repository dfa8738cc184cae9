"""Reading a customer's JSON request body safely, for the HTTP channels (REST, app).

Anything that is not what the channel expects is a 400 with a JSON error, never a 500
or a stack trace: a body over :data:`MAX_BODY_BYTES` (413), bytes that are not UTF-8, a
NUL character, malformed JSON, JSON nested deeper than :data:`MAX_DEPTH`, a top level
that is not an object, and strings that cannot be stored (lone UTF-16 surrogates).
"""

from __future__ import annotations

from typing import Any

from sanic import response
from sanic.response import HTTPResponse

from zhike.channels.limits import TRUNCATED_NOTICE, cap_user_text
from zhike.common.json_body import JsonBodyError, parse_json

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32
# The error codes the channels answer, by what is wrong with the body.
_CODES = {
    "encoding": "invalid_encoding",
    "characters": "invalid_encoding",
    "syntax": "malformed_json",
    "depth": "malformed_json",
    "not_object": "malformed_json",
}


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
    """The request body as a JSON object (read by :func:`zhike.common.json_body.parse_json`).

    Raises:
        BadBody: too large, not UTF-8, containing NUL, malformed, too deep, not an object,
            or with a string that is not valid Unicode.
    """
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(413, "body_too_large", f"the request body exceeds {MAX_BODY_BYTES} bytes")
    if b"\x00" in body:  # the channels' answer to a raw NUL: an encoding problem
        raise BadBody(400, "invalid_encoding", "the request body contains a NUL character")
    try:
        data: dict[str, Any] = parse_json(body, MAX_DEPTH, require_object=True)
    except JsonBodyError as error:
        raise BadBody(400, _CODES[error.kind], error.message) from None
    return data


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
