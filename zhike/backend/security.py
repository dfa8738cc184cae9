"""Shared-secret API key check (header ``X-Api-Key``)."""

from __future__ import annotations

import hmac
import logging

from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.backend.errors import error_response

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-Api-Key"
OPEN_PATHS = frozenset({"/health", "/openapi.json"})


def key_matches(expected: str | None, provided: str | None) -> bool:
    """True when ``provided`` equals ``expected`` (constant time); no key expected -> True."""
    if not expected:
        return True
    if not provided:
        return False
    return hmac.compare_digest(provided.encode("utf-8"), expected.encode("utf-8"))


def warn_dev_mode(api_key: str | None) -> None:
    """Logs, once per process start, that the API is open when no key is configured."""
    if not api_key:
        logger.warning(
            "ZHIKE_BACKEND_API_KEY is not set: dev mode, every request is accepted. "
            "Set it in any shared or production deployment."
        )


def check_request(request: Request, api_key: str | None) -> HTTPResponse | None:
    """A 401 response for a request without the right key, else None (go on)."""
    if request.path in OPEN_PATHS or not api_key:
        return None
    if key_matches(api_key, request.headers.get(API_KEY_HEADER)):
        return None
    return error_response(401, "unauthorized", "缺少或错误的 API Key（请求头 X-Api-Key）")
