"""Access to the business-system client used by actions.

The client is created lazily on first use from the environment (see
:func:`zhike.lib.backend_client.client_from_env`), so importing an action module has no side
effects. Tests install their own client with :func:`set_backend`.
"""

from __future__ import annotations

from zhike.lib.backend_client import BackendClient, client_from_env

_client: BackendClient | None = None


def backend() -> BackendClient:
    """Returns the process-wide client, creating it from the environment once."""
    global _client
    if _client is None:
        _client = client_from_env()
    return _client


def set_backend(client: BackendClient | None) -> None:
    """Replaces the process-wide client (``None`` makes the next call read the environment)."""
    global _client
    _client = client
