"""The shared-secret API key (header ``X-Api-Key``) and the checks before a start.

Fail closed: outside development (``ZHIKE_ENV=development``) the backend does not start
without a strong ``ZHIKE_BACKEND_API_KEY`` nor with the test-only endpoints, and a key
that is set must be strong even in development. Only in development without a key is
every request accepted (a warning says so at start).
"""

from __future__ import annotations

import hmac
import logging

from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.common.deployment import (
    DEVELOPMENT,
    ENV_VAR,
    PRODUCTION,
    ConfigurationError,
    require_secrets,
    secret_problem,
)
from zhike.servers.backend.config import Settings
from zhike.servers.backend.errors import error_response

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-Api-Key"
API_KEY_VAR = "ZHIKE_BACKEND_API_KEY"
FAULTS_VAR = "ZHIKE_BACKEND_FAULTS"
OPEN_PATHS = frozenset({"/health", "/openapi.json"})


def check_settings(settings: Settings) -> None:
    """Refuses a configuration that must not serve requests.

    Raises:
        ConfigurationError: naming the variable: no or a weak API key outside
            development, a weak key anywhere, or the test-only endpoints outside
            development.
    """
    if settings.api_key is not None:
        problem = secret_problem(API_KEY_VAR, settings.api_key)
        if problem:
            raise ConfigurationError(
                f"refusing to start: {problem}. Generate a key with: "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
    mode = DEVELOPMENT if settings.development else PRODUCTION
    require_secrets([API_KEY_VAR], {ENV_VAR: mode, API_KEY_VAR: settings.api_key or ""})
    if settings.faults_enabled and not settings.development:
        raise ConfigurationError(
            f"refusing to start: {FAULTS_VAR}=1 mounts test-only endpoints (/__faults, "
            f"/__sent_codes, /__reset); they need {ENV_VAR}={DEVELOPMENT}."
        )


def key_matches(expected: str | None, provided: str | None) -> bool:
    """True when ``provided`` equals ``expected`` (constant time); never without a key."""
    if not expected or not provided:
        return False
    return hmac.compare_digest(provided.encode("utf-8"), expected.encode("utf-8"))


def warn_dev_mode(settings: Settings) -> None:
    """Logs, once per process start, that the API is open when no key is configured."""
    if not settings.api_key and settings.development:
        logger.warning(
            "%s is not set: development mode (%s=%s), every request is accepted and "
            "one-time codes are logged. Set it in any shared or production deployment.",
            API_KEY_VAR,
            ENV_VAR,
            DEVELOPMENT,
        )


def check_request(request: Request, settings: Settings) -> HTTPResponse | None:
    """A 401 response for a request without the right key, else None (go on).

    Without a configured key only a development server accepts the request.
    """
    if request.path in OPEN_PATHS:
        return None
    if not settings.api_key and settings.development:
        return None
    if key_matches(settings.api_key, request.headers.get(API_KEY_HEADER)):
        return None
    return error_response(401, "unauthorized", "缺少或错误的 API Key（请求头 X-Api-Key）")


def codes_logged_in_clear(settings: Settings) -> bool:
    """Whether one-time codes may appear in the log: development without a key only."""
    return settings.development and not settings.api_key
