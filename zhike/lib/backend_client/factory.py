"""Choosing the backend client from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from zhike.lib.backend_client.base import BackendClient

DEFAULT_URL = "http://127.0.0.1:5080"
DEFAULT_TIMEOUT = 2.0
DEFAULT_COOLDOWN = 5.0


def client_from_env(environ: Mapping[str, str] | None = None) -> BackendClient:
    """Builds the client the environment asks for (no I/O; connections open lazily).

    Variables:
        ZHIKE_BACKEND: ``http`` (default) or ``fake`` (in-memory demo data).
        ZHIKE_BACKEND_URL: base URL of the HTTP backend (default ``http://127.0.0.1:5080``).
        ZHIKE_BACKEND_API_KEY: shared secret sent as ``X-Api-Key`` (default: none).
        ZHIKE_BACKEND_TIMEOUT: seconds per call, a positive number (default 2).
        ZHIKE_BACKEND_COOLDOWN: seconds calls fail at once after the backend did not
            answer (default 5; 0 turns the circuit breaker off).

    Args:
        environ: the environment to read (default ``os.environ``).

    Raises:
        ValueError: for an unknown ZHIKE_BACKEND or a malformed ZHIKE_BACKEND_TIMEOUT.
    """
    env = os.environ if environ is None else environ
    kind = (env.get("ZHIKE_BACKEND") or "http").strip().lower()
    if kind == "fake":
        from zhike.lib.backend_client.fake import InMemoryBackendClient

        return InMemoryBackendClient()
    if kind != "http":
        raise ValueError(f"ZHIKE_BACKEND must be 'http' or 'fake', got {kind!r}")

    timeout = _seconds(env, "ZHIKE_BACKEND_TIMEOUT", DEFAULT_TIMEOUT)
    if timeout == 0:
        raise ValueError("ZHIKE_BACKEND_TIMEOUT must be positive and finite, got '0'")
    cooldown = _seconds(env, "ZHIKE_BACKEND_COOLDOWN", DEFAULT_COOLDOWN)

    from zhike.lib.backend_client.http import HttpBackendClient

    return HttpBackendClient(
        base_url=(env.get("ZHIKE_BACKEND_URL") or DEFAULT_URL).strip(),
        api_key=(env.get("ZHIKE_BACKEND_API_KEY") or "").strip() or None,
        timeout=timeout,
        cooldown=cooldown,
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0 or value == float("inf") or value != value:
        raise ValueError(f"{name} must be positive and finite, got {raw!r}")
    return value
