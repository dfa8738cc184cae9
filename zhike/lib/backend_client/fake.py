"""An in-process client: the reference backend's own rules over an in-memory database.

For action unit tests and ``ZHIKE_BACKEND=fake``: no server, no HTTP, but the very same
service functions, serializers and parsers as the HTTP path, so it answers exactly like
the real backend (same records, same refusals, same error codes) without a second copy
of any business rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client import parsing
from zhike.lib.backend_client.base import BackendClient, BackendError, BackendUnavailable
from zhike.lib.backend_client.delivery.local import LocalDeliveryMethods
from zhike.lib.backend_client.domain import (
    Customer,
    Enrollment,
    Invoice,
    Lesson,
    LessonRequest,
    Logistics,
    Order,
    Refund,
    Student,
    Ticket,
)
from zhike.lib.backend_client.exchanges.local import LocalExchanges
from zhike.lib.backend_client.fake_support import IdentityMethods, client_error
from zhike.lib.backend_client.invoices.local import InvoiceChangesLocal
from zhike.lib.backend_client.presales.local import LocalPresalesMethods
from zhike.lib.backend_client.price_protection.local import LocalPriceProtectionMethods
from zhike.lib.backend_client.ticket_notes.local import LocalTicketNotesMethods
from zhike.lib.backend_client.visits.local import LocalVisitsMethods
from zhike.servers.backend import serializers as doc
from zhike.servers.backend.code_delivery import SentCodes
from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import customers, invoices, orders, school, tickets

T = TypeVar("T")
MEMORY_URL = "sqlite+aiosqlite://"


class InMemoryBackendClient(
    IdentityMethods,
    LocalPresalesMethods,
    LocalPriceProtectionMethods,
    LocalVisitsMethods,
    LocalExchanges,
    InvoiceChangesLocal,
    LocalDeliveryMethods,
    LocalTicketNotesMethods,
    BackendClient,
):
    """The reference backend in-process, seeded with the demo data set.

    The database lives in memory and belongs to the event loop that first used the
    client (a new loop starts from fresh demo data). Nothing is shared between instances.

    Attributes:
        unavailable: when True every call raises :class:`BackendUnavailable`, to test how
            actions cope with a backend that is down.
        calls: ``(method, first argument)`` of every call, in order.
        sent_codes: the one-time codes "sent" (tests read codes here).

    Args:
        now: the clock of the data set and of every rule (default: the real clock); a
            fixed value freezes time, for deterministic tests.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self.unavailable = False
        self.calls: list[tuple[str, str]] = []
        self.sent_codes = SentCodes.empty()
        self._now = now
        self._db: Database | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Lock | None = None

    def clock(self) -> datetime:
        """The time the rules see."""
        return self._now or datetime.now(timezone.utc)

    async def _database(self) -> Database:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._db, self._loop, self._ready = None, loop, asyncio.Lock()
        assert self._ready is not None
        async with self._ready:
            if self._db is None:
                db = Database(MEMORY_URL)
                await db.create_tables()
                await seed_if_empty(db, self.clock())
                self._db = db
        return self._db

    async def _enter(self, method: str, argument: str) -> Database:
        self.calls.append((method, argument))
        if self.unavailable:
            raise BackendUnavailable("backend is down (test switch)", code="connection_error")
        return await self._database()

    async def _read(
        self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
    ) -> T:
        db = await self._enter(method, argument)
        try:
            async with db.session() as session:
                return await work(session)
        except ApiError as error:
            raise client_error(error) from error

    async def _write(
        self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
    ) -> T:
        db = await self._enter(method, argument)
        try:
            return await db.run(work)
        except ApiError as error:
            raise client_error(error, write=True) from error

    # --- orders -------------------------------------------------------------------------

    async def get_order(self, order_id: str) -> Order | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            order = await orders.get_order(session, order_id)
            return None if order is None else doc.order_json(order)

        data = await self._read("get_order", order_id, work)
        return None if data is None else parsing.order_from_json(data)

    async def get_logistics(self, order_id: str) -> Logistics | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            return doc.logistics_json(await orders.get_logistics(session, order_id))

        try:
            data = await self._read("get_logistics", order_id, work)
        except BackendError as error:
            if error.status == 404:
                return None
            raise
        return parsing.logistics_from_json(data)

    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            if await customers.get_customer(session, customer_id) is None:
                return None
            found = await customers.list_orders(session, customer_id)
            return {"orders": [doc.order_json(order) for order in found]}

        data = await self._read("list_orders", customer_id, work)
        return None if data is None else parsing.orders_from_json(data)

    async def cancel_order(self, order_id: str, customer_id: str) -> Order:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            order = await orders.cancel_order(session, order_id, customer_id, now=self.clock())
            return doc.order_json(order)

        return parsing.order_from_json(await self._write("cancel_order", order_id, work))

    async def request_refund(self, order_id: str, customer_id: str, reason: str) -> Refund:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            refund = await orders.request_refund(
                session, order_id, customer_id, reason, now=self.clock()
            )
            return doc.refund_json(refund)

        return parsing.refund_from_json(await self._write("request_refund", order_id, work))

    async def change_address(
        self, order_id: str, customer_id: str, address: str, recipient: str | None = None
    ) -> Order:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            order = await orders.change_address(
                session, order_id, customer_id, address, recipient, now=self.clock()
            )
            return doc.order_json(order)

        return parsing.order_from_json(await self._write("change_address", order_id, work))

    async def request_invoice(
        self,
        order_id: str,
        customer_id: str,
        title: str,
        invoice_type: str,
        tax_number: str | None = None,
    ) -> Invoice:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            invoice = await invoices.request_invoice(
                session, order_id, customer_id, title, invoice_type, tax_number, now=self.clock()
            )
            return doc.invoice_json(invoice)

        return parsing.invoice_from_json(await self._write("request_invoice", order_id, work))

    # --- courses ------------------------------------------------------------------------

    async def list_students(self, customer_id: str) -> list[Student]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await school.list_students(session, customer_id)
            return {"students": [doc.student_json(student) for student in found]}

        return parsing.students_from_json(await self._read("list_students", customer_id, work))

    async def upcoming_lessons(
        self, customer_id: str, limit: int = 5, student_id: str | None = None
    ) -> list[Lesson]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await school.upcoming_lessons(
                session, customer_id, limit, student_id, now=self.clock()
            )
            return {"lessons": [doc.lesson_json(item) for item in found]}

        return parsing.lessons_from_json(await self._read("upcoming_lessons", customer_id, work))

    async def request_lesson_change(
        self,
        lesson_id: str,
        student_id: str,
        customer_id: str,
        kind: str,
        requested_start_at: datetime | None = None,
        reason: str = "",
    ) -> LessonRequest:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            request = await school.request_lesson_change(
                session,
                lesson_id,
                student_id,
                customer_id,
                kind,
                requested_start_at,
                reason,
                now=self.clock(),
            )
            return doc.lesson_request_json(request)

        data = await self._write("request_lesson_change", lesson_id, work)
        return parsing.lesson_request_from_json(data)

    async def cancel_enrollment(
        self, student_id: str, course_id: str, customer_id: str
    ) -> Enrollment:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            enrollment = await school.cancel_enrollment(session, student_id, course_id, customer_id)
            return doc.enrollment_json(enrollment)

        data = await self._write("cancel_enrollment", student_id, work)
        return parsing.enrollment_from_json(data)

    async def set_course_notifications(self, customer_id: str, enabled: bool) -> Customer:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            customer = await customers.set_course_notifications(session, customer_id, enabled)
            return doc.customer_json(customer)

        data = await self._write("set_course_notifications", customer_id, work)
        return parsing.customer_from_json(data)

    # --- tickets ------------------------------------------------------------------------

    async def create_ticket(
        self,
        category: str,
        summary: str,
        customer_id: str | None = None,
        channel: str = "",
        idempotency_key: str | None = None,
    ) -> Ticket:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            result = await tickets.create_ticket(
                session,
                category,
                summary,
                customer_id,
                channel,
                idempotency_key,
                now=self.clock(),
            )
            return doc.ticket_json(result.ticket)

        return parsing.ticket_from_json(await self._write("create_ticket", category, work))

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            ticket = await tickets.get_ticket(session, ticket_id)
            return None if ticket is None else doc.ticket_json(ticket)

        data = await self._read("get_ticket", ticket_id, work)
        return None if data is None else parsing.ticket_from_json(data)

    async def list_tickets(self, customer_id: str) -> list[Ticket]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await tickets.list_tickets(session, customer_id)
            return {"tickets": [doc.ticket_json(ticket) for ticket in found]}

        return parsing.tickets_from_json(await self._read("list_tickets", customer_id, work))

    async def get_customer(self, customer_id: str) -> Customer | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            customer = await customers.get_customer(session, customer_id)
            return None if customer is None else doc.customer_json(customer)

        data = await self._read("get_customer", customer_id, work)
        return None if data is None else parsing.customer_from_json(data)

    async def aclose(self) -> None:
        """Disposes the in-memory database."""
        if self._db is not None:
            await self._db.dispose()
            self._db = None
