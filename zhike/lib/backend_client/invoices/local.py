"""The invoice-change methods in-process (a mixin of ``InMemoryBackendClient``).

They run the reference backend's own service functions and serializers, so the answers
are exactly those of the HTTP path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.errors import BackendError
from zhike.lib.backend_client.invoices.domain import (
    InvoiceChange,
    OrderInvoices,
    invoice_change_from_json,
    order_invoices_from_json,
)
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.servers.backend.invoice_documents import change_json, order_invoices_json
from zhike.servers.backend.services import invoice_changes


class InvoiceChangesLocal(LocalMethods):
    """Invoice status, changes and re-sending over the in-memory database."""

    async def get_order_invoices(self, order_id: str, customer_id: str) -> OrderInvoices | None:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""

        async def work(session: AsyncSession) -> Any:
            order, changes = await invoice_changes.order_invoices(session, order_id, customer_id)
            return order_invoices_json(order, changes)

        try:
            data = await self._read("get_order_invoices", order_id, work)
        except BackendError as error:
            if error.status == 404:
                return None
            raise
        return order_invoices_from_json(data)

    async def change_invoice(
        self, order_id: str, customer_id: str, kind: str, fields: Mapping[str, str]
    ) -> InvoiceChange:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""

        async def work(session: AsyncSession) -> Any:
            change = await invoice_changes.change_invoice(
                session, order_id, customer_id, kind, dict(fields), now=self.clock()
            )
            return change_json(change)

        return invoice_change_from_json(await self._write("change_invoice", order_id, work))

    async def resend_invoice(self, order_id: str, customer_id: str, email: str) -> OrderInvoices:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""

        async def work(session: AsyncSession) -> Any:
            invoice = await invoice_changes.resend_invoice(
                session, order_id, customer_id, email, now=self.clock()
            )
            order, changes = await invoice_changes.order_invoices(
                session, invoice.order_id, customer_id
            )
            return order_invoices_json(order, changes)

        return order_invoices_from_json(await self._write("resend_invoice", order_id, work))
