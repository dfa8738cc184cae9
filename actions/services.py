"""Access to the business-system clients used by actions.

Clients are created lazily on first use from the environment (see
:func:`zhike.backend_client.client_from_env`), so importing an action module has no side
effects. Tests install their own client with :func:`set_orders_client`.
"""

from __future__ import annotations

from zhike.backend_client import OrdersClient, client_from_env

_orders_client: OrdersClient | None = None


def orders_client() -> OrdersClient:
    """Returns the process-wide orders client, creating it from the environment once."""
    global _orders_client
    if _orders_client is None:
        _orders_client = client_from_env()
    return _orders_client


def set_orders_client(client: OrdersClient | None) -> None:
    """Replaces the process-wide client (``None`` makes the next call read the environment)."""
    global _orders_client
    _orders_client = client
