"""The invoice-change methods over HTTP (a mixin of ``HttpBackendClient``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from zhike.lib.backend_client.invoices.domain import (
    InvoiceChange,
    OrderInvoices,
    invoice_change_from_json,
    order_invoices_from_json,
)
from zhike.lib.backend_client.mixins import HttpMethods


class InvoiceChangesHttp(HttpMethods):
    """``/api/v1/orders/<id>/invoice``, ``.../invoice/changes``, ``.../invoice/resend``."""

    def _invoice_path(self, order_id: str, suffix: str = "") -> str:
        return f"/api/v1/orders/{self._segment(order_id, 'order_id')}/invoice{suffix}"

    async def get_order_invoices(self, order_id: str, customer_id: str) -> OrderInvoices | None:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""
        customer = quote(self._segment(customer_id, "customer_id"), safe="")
        data = await self._get(f"{self._invoice_path(order_id)}?customer_id={customer}")
        return None if data is None else order_invoices_from_json(data)

    async def change_invoice(
        self, order_id: str, customer_id: str, kind: str, fields: Mapping[str, str]
    ) -> InvoiceChange:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""
        body: dict[str, Any] = {**fields, "customer_id": customer_id, "kind": kind}
        data = await self._call("POST", self._invoice_path(order_id, "/changes"), body)
        return invoice_change_from_json(data)

    async def resend_invoice(self, order_id: str, customer_id: str, email: str) -> OrderInvoices:
        """See :class:`~zhike.lib.backend_client.invoices.base.InvoiceChangesClient`."""
        body = {"customer_id": customer_id, "email": email}
        data = await self._call("POST", self._invoice_path(order_id, "/resend"), body)
        return order_invoices_from_json(data)
