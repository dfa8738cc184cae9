"""The business-data interface actions depend on: errors and the client contract.

Pure: no HTTP, no database. A company plugs its own systems in by subclassing
:class:`BackendClient` (one adapter class); actions only ever see the domain objects of
:mod:`zhike.lib.backend_client.domain` (re-exported here).

Contract of every method:

* an unknown record is ``None`` (reads) -- never an exception;
* a write on a record that does not exist *or belongs to another customer* raises
  :class:`BackendError` with code ``not_found`` (status 404): a caller can never learn
  that someone else's order exists;
* a write the business rules refuse raises :class:`BackendError` with a specific code
  (status 409 or 422), listed on the method;
* a malformed id raises :class:`BackendError` (``invalid_order_id``, status 400 ...);
* a request over a rate limit raises :class:`BackendRateLimited` (status 429, with the
  seconds to wait when the backend said);
* a backend that is down, slow or failing raises :class:`BackendUnavailable`.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Protocol, runtime_checkable

from zhike.lib.backend_client.capabilities import CapabilityMethods
from zhike.lib.backend_client.domain import (
    Customer,
    Enrollment,
    Invoice,
    Lesson,
    LessonRequest,
    Logistics,
    Order,
    PhoneCheck,
    Refund,
    Student,
    Ticket,
)
from zhike.lib.backend_client.errors import BackendError, BackendRateLimited, BackendUnavailable


@runtime_checkable
class OrdersClient(Protocol):
    """What order actions need (see :class:`BackendClient` for each method's contract)."""

    async def get_order(self, order_id: str) -> Order | None: ...
    async def get_logistics(self, order_id: str) -> Logistics | None: ...
    async def list_orders(self, customer_id: str) -> list[Order] | None: ...
    async def cancel_order(self, order_id: str, customer_id: str) -> Order: ...
    async def request_refund(self, order_id: str, customer_id: str, reason: str) -> Refund: ...
    async def change_address(
        self, order_id: str, customer_id: str, address: str, recipient: str | None = None
    ) -> Order: ...
    async def request_invoice(
        self,
        order_id: str,
        customer_id: str,
        title: str,
        invoice_type: str,
        tax_number: str | None = None,
    ) -> Invoice: ...


@runtime_checkable
class CoursesClient(Protocol):
    """What course actions need (see :class:`BackendClient`)."""

    async def list_students(self, customer_id: str) -> list[Student]: ...
    async def upcoming_lessons(
        self, customer_id: str, limit: int = 5, student_id: str | None = None
    ) -> list[Lesson]: ...
    async def request_lesson_change(
        self,
        lesson_id: str,
        student_id: str,
        customer_id: str,
        kind: str,
        requested_start_at: datetime | None = None,
        reason: str = "",
    ) -> LessonRequest: ...
    async def cancel_enrollment(
        self, student_id: str, course_id: str, customer_id: str
    ) -> Enrollment: ...
    async def set_course_notifications(self, customer_id: str, enabled: bool) -> Customer: ...


@runtime_checkable
class TicketsClient(Protocol):
    """What ticket actions need (see :class:`BackendClient`)."""

    async def create_ticket(
        self,
        category: str,
        summary: str,
        customer_id: str | None = None,
        channel: str = "",
        idempotency_key: str | None = None,
    ) -> Ticket: ...
    async def get_ticket(self, ticket_id: str) -> Ticket | None: ...
    async def list_tickets(self, customer_id: str) -> list[Ticket]: ...
    async def add_ticket_note(
        self,
        ticket_id: str,
        text: str,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket: ...


@runtime_checkable
class IdentityClient(Protocol):
    """Who is this sender (see :class:`BackendClient`)."""

    async def get_customer(self, customer_id: str) -> Customer | None: ...
    async def check_order_phone(
        self, order_id: str, last4: str, requester: str, client_address: str | None = None
    ) -> PhoneCheck: ...
    async def get_binding(self, channel: str, channel_user_id: str) -> str | None: ...
    async def request_binding_code(
        self, phone: str, channel: str, channel_user_id: str
    ) -> str | None: ...
    async def confirm_binding(
        self,
        phone: str | None,
        code: str,
        channel: str,
        channel_user_id: str,
        *,
        request_id: str | None = None,
    ) -> str: ...
    async def unbind(self, channel: str, channel_user_id: str) -> bool: ...


class BackendClient(CapabilityMethods, abc.ABC):
    """The full client contract; subclass it to connect zhike to your own systems.

    Implement every abstract method with the semantics in its docstring and the module
    docstring; override :meth:`aclose` when holding resources. Instances are async context
    managers and must be safe to share between concurrent tasks of one event loop.
    Write methods take the acting ``customer_id`` and must refuse (``not_found``) a
    record of another customer: authorisation is checked on both sides.
    """

    # --- orders -------------------------------------------------------------------------

    @abc.abstractmethod
    async def get_order(self, order_id: str) -> Order | None:
        """The order ``order_id`` (``HP`` + 8 digits, any case), or ``None``."""

    @abc.abstractmethod
    async def get_logistics(self, order_id: str) -> Logistics | None:
        """The shipment of an order, or ``None`` when the order is unknown or not shipped."""

    @abc.abstractmethod
    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """The customer's orders, newest first, or ``None`` when the customer is unknown."""

    @abc.abstractmethod
    async def cancel_order(self, order_id: str, customer_id: str) -> Order:
        """Cancels an order that has not shipped (status ``pending_payment`` or ``paid``).

        A paid order is refunded in full automatically. Returns the cancelled order.

        Raises:
            BackendError: ``not_found``; ``order_not_cancellable`` (409) when it shipped,
                was delivered, cancelled or is being refunded.
        """

    @abc.abstractmethod
    async def request_refund(self, order_id: str, customer_id: str, reason: str) -> Refund:
        """Opens a full refund of a paid, shipped or delivered order (order -> ``refunding``).

        Delivered orders qualify within 7 days of delivery (7天无理由退货).

        Raises:
            BackendError: ``not_found``; ``refund_exists`` (409) while one is open;
                ``refund_not_allowed`` (409) for an unpaid/cancelled order or after the
                7-day window; ``invalid_reason`` (422) for an empty or >500-char reason.
        """

    @abc.abstractmethod
    async def change_address(
        self, order_id: str, customer_id: str, address: str, recipient: str | None = None
    ) -> Order:
        """Changes the delivery address (and recipient) of an order not yet shipped.

        Raises:
            BackendError: ``not_found``; ``address_not_changeable`` (409) once shipped;
                ``invalid_address`` (422) for fewer than 8 or more than 200 characters.
        """

    @abc.abstractmethod
    async def request_invoice(
        self,
        order_id: str,
        customer_id: str,
        title: str,
        invoice_type: str,
        tax_number: str | None = None,
    ) -> Invoice:
        """Requests an invoice for a paid order (one per order).

        Raises:
            BackendError: ``not_found``; ``invoice_exists`` (409); ``invoice_not_allowed``
                (409) for an unpaid or cancelled order; ``invalid_tax_number`` (422) for a
                tax number that is not a valid unified social credit code, or missing on a
                ``vat_special`` invoice; ``invalid_title`` (422); ``invalid_invoice_type``.
        """

    # --- courses ------------------------------------------------------------------------

    @abc.abstractmethod
    async def list_students(self, customer_id: str) -> list[Student]:
        """The customer's students with their enrollments (empty when none)."""

    @abc.abstractmethod
    async def upcoming_lessons(
        self, customer_id: str, limit: int = 5, student_id: str | None = None
    ) -> list[Lesson]:
        """The next scheduled lessons of the customer's students (or of one), soonest first.

        At most ``limit`` (1..50) lessons.
        """

    @abc.abstractmethod
    async def request_lesson_change(
        self,
        lesson_id: str,
        student_id: str,
        customer_id: str,
        kind: str,
        requested_start_at: datetime | None = None,
        reason: str = "",
    ) -> LessonRequest:
        """Asks for leave (``kind="leave"``) or a reschedule of one lesson.

        Requests close 2 hours before the lesson starts (the cut-off). A reschedule needs
        ``requested_start_at`` in the future, within 30 days.

        Raises:
            BackendError: ``not_found`` (lesson, student, or not the customer's student or
                not enrolled); ``past_cutoff`` (409); ``request_exists`` (409);
                ``invalid_time`` (422); ``invalid_kind`` (422).
        """

    @abc.abstractmethod
    async def cancel_enrollment(
        self, student_id: str, course_id: str, customer_id: str
    ) -> Enrollment:
        """Cancels an active enrollment (status -> ``cancelled``).

        The unattended lessons are refunded by the course refund rules (see the FAQ).

        Raises:
            BackendError: ``not_found``; ``enrollment_not_active`` (409).
        """

    @abc.abstractmethod
    async def set_course_notifications(self, customer_id: str, enabled: bool) -> Customer:
        """Turns lesson reminders on or off for the customer; returns the customer.

        Raises:
            BackendError: ``not_found``.
        """

    # --- tickets ------------------------------------------------------------------------

    @abc.abstractmethod
    async def create_ticket(
        self,
        category: str,
        summary: str,
        customer_id: str | None = None,
        channel: str = "",
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Opens a ticket. The same ``idempotency_key`` returns the first ticket again.

        Raises:
            BackendError: ``invalid_category`` (422), ``invalid_summary`` (422: empty or
                more than 2000 characters), ``not_found`` for an unknown customer.
        """

    @abc.abstractmethod
    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket ``ticket_id`` (``TK`` + 8 digits), or ``None``."""

    @abc.abstractmethod
    async def list_tickets(self, customer_id: str) -> list[Ticket]:
        """The customer's tickets, newest first."""

    # --- identity -----------------------------------------------------------------------

    @abc.abstractmethod
    async def get_customer(self, customer_id: str) -> Customer | None:
        """The customer ``customer_id`` (e.g. ``C001``), or ``None``."""

    @abc.abstractmethod
    async def check_order_phone(
        self, order_id: str, last4: str, requester: str, client_address: str | None = None
    ) -> PhoneCheck:
        """Checks the last 4 digits of the order's phone for an anonymous requester.

        ``requester`` is ``"<channel>:<sender id>"``; ``client_address`` the requester's
        IP address when the channel knows it (counted too).

        5 wrong tries lock the order for that requester for 15 minutes; 10 wrong tries
        from anyone within 15 minutes lock the order's phone checks for everyone for 15
        minutes; 30 from one client address lock that address out. While locked even the
        right digits are refused. An unknown order counts as a wrong try (so order
        numbers cannot be probed).

        Raises:
            BackendError: ``invalid_client_address`` (422) for an address that is no IP.
        """

    @abc.abstractmethod
    async def get_binding(self, channel: str, channel_user_id: str) -> str | None:
        """The customer id bound to a channel user (WeChat openid, web user), or ``None``.

        Bindings expire (web chat after 7 days, other channels after 30 by default).
        """

    @abc.abstractmethod
    async def request_binding_code(
        self, phone: str, channel: str, channel_user_id: str
    ) -> str | None:
        """Sends a 6-digit one-time code to ``phone`` (valid 10 minutes).

        Answers the same whether or not the phone belongs to a customer (no probing).

        Returns:
            The request id to confirm the code with (``None`` from a backend without).

        Raises:
            BackendRateLimited: ``too_many_codes`` (429) after 3 codes for the same
                channel user within 10 minutes, more than 1 code a minute or 5 an hour
                for the phone, or too many codes overall.
            BackendError: ``invalid_phone`` (422).
        """

    @abc.abstractmethod
    async def confirm_binding(
        self,
        phone: str | None,
        code: str,
        channel: str,
        channel_user_id: str,
        *,
        request_id: str | None = None,
    ) -> str:
        """Binds the channel user with the code sent to them; returns the customer id.

        The backend knows the phone: ``request_id`` (from :meth:`request_binding_code`)
        picks the code, else the channel user's newest code is checked; ``phone``, when
        given, must be the code's.

        Raises:
            BackendRateLimited: ``too_many_attempts`` (429) after too many wrong codes
                for the phone.
            BackendError: ``invalid_code`` (422) for a wrong, used or expired code (5 wrong
                codes void it).
        """

    async def unbind(self, channel: str, channel_user_id: str) -> bool:
        """Ends the channel user's binding (and voids their pending codes).

        Returns:
            True when a binding existed.

        Raises:
            BackendError: ``not_supported`` from a client that cannot unbind.
        """
        raise BackendError("this backend client cannot end bindings", code="not_supported")

    # --- lifecycle ----------------------------------------------------------------------

    async def aclose(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Releases resources (connections); the client must not be used afterwards."""

    async def __aenter__(self) -> BackendClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


__all__ = [
    "BackendClient",
    "BackendError",
    "BackendRateLimited",
    "BackendUnavailable",
    "CoursesClient",
    "IdentityClient",
    "OrdersClient",
    "TicketsClient",
]
