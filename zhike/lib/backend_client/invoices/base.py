"""The invoice-change methods of the client contract (a mixin of ``BackendClient``)."""

from __future__ import annotations

import abc
from collections.abc import Mapping

from zhike.lib.backend_client.invoices.domain import InvoiceChange, OrderInvoices


class InvoiceChangesClient(abc.ABC):
    """Invoice status, changes (换开) and re-sending, for the order's own customer."""

    @abc.abstractmethod
    async def get_order_invoices(self, order_id: str, customer_id: str) -> OrderInvoices | None:
        """The invoices of the customer's order, with their changes and what is allowed.

        Args:
            order_id: the order.
            customer_id: the customer asking (only their own order is found).

        Returns:
            The order's invoices (possibly none), or ``None`` when the order does not
            exist or belongs to another customer.

        Raises:
            BackendError: ``invalid_order_id`` / ``invalid_customer_id`` (400).
        """

    @abc.abstractmethod
    async def change_invoice(
        self, order_id: str, customer_id: str, kind: str, fields: Mapping[str, str]
    ) -> InvoiceChange:
        """Changes the order's current invoice; an issued one is re-issued.

        Args:
            order_id: the order.
            customer_id: the acting customer.
            kind: ``title`` (fields ``title``, ``tax_number`` for a company),
                ``vat_special`` (``registered_address``, ``registered_phone``,
                ``bank_name``, ``bank_account``), ``electronic_normal``, ``paper``
                (``mail_address``, ``mail_recipient``, ``mail_phone``) or ``electronic``.
            fields: the new values.

        Returns:
            The change request (``IC`` + 8 digits).

        Raises:
            BackendError: ``not_found``; 409 ``invoice_not_changeable`` (cancelled or
                refunded order), ``no_invoice``, ``change_in_progress``,
                ``title_change_used`` (a title changes once), ``same_type``,
                ``same_medium``, ``vat_needs_company``; 422 ``invalid_change_kind``,
                ``invalid_title``, ``invalid_tax_number``, ``same_title``,
                ``vat_details_missing``, ``mailing_incomplete``. The message says why in
                Chinese.
        """

    @abc.abstractmethod
    async def resend_invoice(self, order_id: str, customer_id: str, email: str) -> OrderInvoices:
        """Sends the order's issued electronic invoice to ``email``.

        Returns:
            The order's invoices afterwards (the current one carries ``email``).

        Raises:
            BackendError: ``not_found``; 422 ``invalid_email``; 409
                ``invoice_not_changeable``, ``no_invoice``, ``paper_invoice``,
                ``invoice_not_issued``.
        """
