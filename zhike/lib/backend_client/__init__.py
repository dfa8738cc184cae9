"""The only door from actions to business data.

Actions depend on the client protocols (:class:`OrdersClient`, :class:`CoursesClient`,
:class:`TicketsClient`, :class:`IdentityClient`) and the frozen domain objects;
:func:`client_from_env` picks the implementation (HTTP or in-memory). Importing this
package has no side effects and opens no connection.
"""

from zhike.lib.backend_client.base import (
    BackendClient,
    BackendError,
    BackendRateLimited,
    BackendUnavailable,
    CoursesClient,
    IdentityClient,
    OrdersClient,
    TicketsClient,
)
from zhike.lib.backend_client.domain import (
    ORDER_STATUSES,
    Customer,
    Enrollment,
    Invoice,
    Lesson,
    LessonRequest,
    Logistics,
    Order,
    OrderItem,
    PhoneCheck,
    Refund,
    Student,
    Ticket,
    TrackingEvent,
)
from zhike.lib.backend_client.factory import client_from_env

__all__ = [
    "ORDER_STATUSES",
    "BackendClient",
    "BackendError",
    "BackendRateLimited",
    "BackendUnavailable",
    "CoursesClient",
    "Customer",
    "Enrollment",
    "IdentityClient",
    "Invoice",
    "Lesson",
    "LessonRequest",
    "Logistics",
    "Order",
    "OrderItem",
    "OrdersClient",
    "PhoneCheck",
    "Refund",
    "Student",
    "Ticket",
    "TicketsClient",
    "TrackingEvent",
    "client_from_env",
]
