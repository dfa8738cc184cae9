"""The HTTP client of the reference backend's REST API (``/api/v1``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from zhike.lib.backend_client.base import BackendClient, BackendError
from zhike.lib.backend_client.delivery.http import HttpDeliveryMethods
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
from zhike.lib.backend_client.exchanges.http import HttpExchanges
from zhike.lib.backend_client.invoices.http import InvoiceChangesHttp
from zhike.lib.backend_client.parsing import (
    customer_from_json,
    customer_id_from_json,
    enrollment_from_json,
    invoice_from_json,
    lesson_request_from_json,
    lessons_from_json,
    logistics_from_json,
    order_from_json,
    orders_from_json,
    phone_check_from_json,
    refund_from_json,
    request_id_from_json,
    students_from_json,
    ticket_from_json,
    tickets_from_json,
    unbound_from_json,
)
from zhike.lib.backend_client.presales.http import HttpPresalesMethods
from zhike.lib.backend_client.price_protection.http import HttpPriceProtectionMethods
from zhike.lib.backend_client.ticket_notes.http import HttpTicketNotesMethods
from zhike.lib.backend_client.transport import HttpTransport
from zhike.lib.backend_client.visits.http import HttpVisitsMethods

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class HttpBackendClient(
    HttpPresalesMethods,
    HttpPriceProtectionMethods,
    HttpVisitsMethods,
    HttpExchanges,
    InvoiceChangesHttp,
    HttpDeliveryMethods,
    HttpTicketNotesMethods,
    BackendClient,
):
    """Talks to the zhike backend (or any server speaking its API, docs/backend-api.md).

    Every call returns or raises within about ``timeout`` seconds; answers map to the
    contract as described in :mod:`zhike.lib.backend_client.transport`. Environment proxy
    settings are ignored unless ``trust_env=True``. Call :meth:`aclose` when done.

    Args:
        base_url: e.g. ``http://127.0.0.1:5080`` (without ``/api/v1``).
        api_key: shared secret sent as ``X-Api-Key``; ``None`` sends none.
        timeout: seconds for the whole call.
        transport: optional httpx transport (tests, custom TLS or retries).
        trust_env: honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` and friends.
        cooldown: seconds calls fail at once after a timeout or connection error.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 2.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = False,
        cooldown: float = 5.0,
    ) -> None:
        self._http = HttpTransport(
            base_url,
            api_key,
            timeout,
            transport=transport,
            trust_env=trust_env,
            cooldown=cooldown,
        )
        self.base_url = self._http.base_url
        self.timeout = self._http.timeout

    def __repr__(self) -> str:
        return f"HttpBackendClient(base_url={self.base_url!r}, timeout={self.timeout})"

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> Any:
        return await self._http.call(method, path, body, headers=headers)

    async def _get(self, path: str) -> Any | None:
        return await self._http.call("GET", path, none_on_404=True)

    @staticmethod
    def _segment(value: str, what: str) -> str:
        text = (value or "").strip()
        if not text:
            raise BackendError(f"empty {what}", code=f"invalid_{what}", status=None)
        return quote(text, safe="")

    # --- orders -------------------------------------------------------------------------

    def _order_path(self, order_id: str, suffix: str = "") -> str:
        return f"/api/v1/orders/{self._segment(order_id, 'order_id')}{suffix}"

    def _customer_path(self, customer_id: str, suffix: str = "") -> str:
        return f"/api/v1/customers/{self._segment(customer_id, 'customer_id')}{suffix}"

    async def get_order(self, order_id: str) -> Order | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._order_path(order_id))
        return None if data is None else order_from_json(data)

    async def get_logistics(self, order_id: str) -> Logistics | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._order_path(order_id, "/logistics"))
        return None if data is None else logistics_from_json(data)

    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._customer_path(customer_id, "/orders"))
        return None if data is None else orders_from_json(data)

    async def cancel_order(self, order_id: str, customer_id: str) -> Order:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body = {"customer_id": customer_id}
        return order_from_json(
            await self._call("POST", self._order_path(order_id, "/cancel"), body)
        )

    async def request_refund(self, order_id: str, customer_id: str, reason: str) -> Refund:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body = {"customer_id": customer_id, "reason": reason}
        path = self._order_path(order_id, "/refunds")
        return refund_from_json(await self._call("POST", path, body))

    async def change_address(
        self, order_id: str, customer_id: str, address: str, recipient: str | None = None
    ) -> Order:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body: dict[str, Any] = {"customer_id": customer_id, "address": address}
        if recipient:
            body["recipient"] = recipient
        path = self._order_path(order_id, "/address")
        return order_from_json(await self._call("PUT", path, body))

    async def request_invoice(
        self,
        order_id: str,
        customer_id: str,
        title: str,
        invoice_type: str,
        tax_number: str | None = None,
    ) -> Invoice:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body = {
            "customer_id": customer_id,
            "title": title,
            "type": invoice_type,
            "tax_number": tax_number,
        }
        path = self._order_path(order_id, "/invoices")
        return invoice_from_json(await self._call("POST", path, body))

    # --- courses ------------------------------------------------------------------------

    async def list_students(self, customer_id: str) -> list[Student]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._customer_path(customer_id, "/students"))
        return [] if data is None else students_from_json(data)

    async def upcoming_lessons(
        self, customer_id: str, limit: int = 5, student_id: str | None = None
    ) -> list[Lesson]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        query = f"?limit={max(1, min(int(limit), 50))}"
        if student_id:
            query += f"&student_id={self._segment(student_id, 'student_id')}"
        data = await self._get(self._customer_path(customer_id, f"/lessons{query}"))
        return [] if data is None else lessons_from_json(data)

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
        body = {
            "customer_id": customer_id,
            "student_id": student_id,
            "kind": kind,
            "requested_start_at": _iso(requested_start_at),
            "reason": reason,
        }
        path = f"/api/v1/lessons/{self._segment(lesson_id, 'lesson_id')}/requests"
        return lesson_request_from_json(await self._call("POST", path, body))

    async def cancel_enrollment(
        self, student_id: str, course_id: str, customer_id: str
    ) -> Enrollment:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        student = self._segment(student_id, "student_id")
        course = self._segment(course_id, "course_id")
        path = f"/api/v1/enrollments/{student}/{course}/cancel"
        body = {"customer_id": customer_id}
        return enrollment_from_json(await self._call("POST", path, body))

    async def set_course_notifications(self, customer_id: str, enabled: bool) -> Customer:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        path = self._customer_path(customer_id, "/notifications")
        body = {"course_notifications": bool(enabled)}
        return customer_from_json(await self._call("PUT", path, body))

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
        body = {
            "category": category,
            "summary": summary,
            "customer_id": customer_id,
            "channel": channel,
        }
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        data = await self._call("POST", "/api/v1/tickets", body, headers=headers)
        return ticket_from_json(data)

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(f"/api/v1/tickets/{self._segment(ticket_id, 'ticket_id')}")
        return None if data is None else ticket_from_json(data)

    async def list_tickets(self, customer_id: str) -> list[Ticket]:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._customer_path(customer_id, "/tickets"))
        return [] if data is None else tickets_from_json(data)

    # --- identity -----------------------------------------------------------------------

    async def get_customer(self, customer_id: str) -> Customer | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._customer_path(customer_id))
        return None if data is None else customer_from_json(data)

    async def check_order_phone(
        self, order_id: str, last4: str, requester: str, client_address: str | None = None
    ) -> PhoneCheck:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body = {"last4": last4, "requester": requester}
        if client_address:
            body["client_address"] = client_address
        path = self._order_path(order_id, "/phone-checks")
        return phone_check_from_json(await self._call("POST", path, body))

    def _binding_path(self, channel: str, channel_user_id: str) -> str:
        return (
            f"/api/v1/bindings/{self._segment(channel, 'channel')}/"
            f"{self._segment(channel_user_id, 'channel_user_id')}"
        )

    async def get_binding(self, channel: str, channel_user_id: str) -> str | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._get(self._binding_path(channel, channel_user_id))
        return None if data is None else customer_id_from_json(data)

    async def unbind(self, channel: str, channel_user_id: str) -> bool:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        data = await self._call("DELETE", self._binding_path(channel, channel_user_id))
        return unbound_from_json(data)

    async def request_binding_code(
        self, phone: str, channel: str, channel_user_id: str
    ) -> str | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body = {"phone": phone, "channel": channel, "channel_user_id": channel_user_id}
        return request_id_from_json(await self._call("POST", "/api/v1/bindings/codes", body))

    async def confirm_binding(
        self,
        phone: str | None,
        code: str,
        channel: str,
        channel_user_id: str,
        *,
        request_id: str | None = None,
    ) -> str:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""
        body: dict[str, Any] = {
            "code": code,
            "channel": channel,
            "channel_user_id": channel_user_id,
        }
        if phone:
            body["phone"] = phone
        if request_id:
            body["request_id"] = request_id
        return customer_id_from_json(await self._call("POST", "/api/v1/bindings", body))

    async def aclose(self) -> None:
        """Closes the connection pool (a later call would open a new one)."""
        await self._http.aclose()
