"""Invoice changes and invoice status: the client's domain objects and adapter mixins."""

from zhike.lib.backend_client.invoices.domain import (
    CHANGE_KINDS,
    InvoiceChange,
    InvoiceDetail,
    OrderInvoices,
)

__all__ = ["CHANGE_KINDS", "InvoiceChange", "InvoiceDetail", "OrderInvoices"]
