"""Choosing the backend client from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from zhike.backend_client.base import BackendClient

DEFAULT_URL = "http://127.0.0.1:5080"
DEFAULT_TIMEOUT = 2.0


def client_from_env(environ: Mapping[str, str] | None = None) -> BackendClient:
    """Builds the client the environment asks for (no I/O; connections open lazily).

    Variables:
        ZHIKE_BACKEND: ``http`` (default) or ``fake`` (in-memory demo data).
        ZHIKE_BACKEND_URL: base URL of the HTTP backend (default ``http://127.0.0.1:5080``).
        ZHIKE_BACKEND_API_KEY: shared secret sent as ``X-Api-Key`` (default: none).
        ZHIKE_BACKEND_TIMEOUT: seconds per call, a positive number (default 2).

    Args:
        environ: the environment to read (default ``os.environ``).

    Raises:
        ValueError: for an unknown ZHIKE_BACKEND or a malformed ZHIKE_BACKEND_TIMEOUT.
    """
    env = os.environ if environ is None else environ
    kind = (env.get("ZHIKE_BACKEND") or "http").strip().lower()
    if kind == "fake":
        from zhike.backend_client.fake import InMemoryBackendClient

        return InMemoryBackendClient()
    if kind != "http":
        raise ValueError(f"ZHIKE_BACKEND must be 'http' or 'fake', got {kind!r}")

    raw_timeout = (env.get("ZHIKE_BACKEND_TIMEOUT") or "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(
            f"ZHIKE_BACKEND_TIMEOUT must be a number of seconds, got {raw_timeout!r}"
        ) from None
    if not timeout > 0 or timeout == float("inf"):
        raise ValueError(f"ZHIKE_BACKEND_TIMEOUT must be positive and finite, got {raw_timeout!r}")

    from zhike.backend_client.http import HttpBackendClient

    return HttpBackendClient(
        base_url=(env.get("ZHIKE_BACKEND_URL") or DEFAULT_URL).strip(),
        api_key=(env.get("ZHIKE_BACKEND_API_KEY") or "").strip() or None,
        timeout=timeout,
    )
