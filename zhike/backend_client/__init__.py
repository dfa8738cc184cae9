"""The only door from actions to business data.

Actions depend on :class:`OrdersClient` / :class:`BackendClient` and the frozen domain
objects; :func:`client_from_env` picks the implementation (HTTP or in-memory). Importing
this package has no side effects and opens no connection.
"""

from zhike.backend_client.base import (
    ORDER_STATUSES,
    BackendClient,
    BackendError,
    BackendUnavailable,
    Customer,
    Logistics,
    Order,
    OrderItem,
    OrdersClient,
    Refund,
    TrackingEvent,
)
from zhike.backend_client.factory import client_from_env

__all__ = [
    "ORDER_STATUSES",
    "BackendClient",
    "BackendError",
    "BackendUnavailable",
    "Customer",
    "Logistics",
    "Order",
    "OrderItem",
    "OrdersClient",
    "Refund",
    "TrackingEvent",
    "client_from_env",
]
