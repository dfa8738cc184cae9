"""Shared checks of the invoice-change forms: the customer's invoice and what it allows.

The backend owns the rules (:mod:`zhike.servers.backend.services.invoice_changes`); it
reports, for the order's current invoice, why each change is not possible now. A form
reads that before asking anything, so the customer hears the reason at once.
"""

from __future__ import annotations

from abc import ABC
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ZhikeFormValidationAction
from actions.identity import known_customer_id
from actions.services import backend
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client import BackendError
from zhike.lib.backend_client.invoices import OrderInvoices

CLOSED_ORDERS = ("cancelled", "refunded")


def gave_up(order_id: str) -> dict[str, Any]:
    """The slots that end a form on ``order_id`` (which stays the order in focus)."""
    return {"order_id": order_id, FOCUS_ORDER_SLOT: order_id, "form_gave_up": True}


def say_no_invoice(dispatcher: CollectingDispatcher, order_id: str) -> None:
    """The order has no invoice yet: offer to request one."""
    dispatcher.utter_message(response="utter_invoice_none_yet", order_id=order_id)


def say_refused(dispatcher: CollectingDispatcher, order_id: str, reason: str) -> None:
    """Why the invoice of ``order_id`` cannot be changed or sent, as the backend said."""
    dispatcher.utter_message(
        response="utter_invoice_change_refused", order_id=order_id, reason=reason.rstrip("。")
    )


class InvoiceOrderChecks(ZhikeFormValidationAction, ABC):
    """A form about the invoice of one of the customer's orders.

    Subclasses set ``check_kind`` (a change kind or ``resend``) or override :meth:`kind`;
    ``checks_invoice = False`` checks only that the order is the customer's.
    """

    needs_customer = True
    check_kind: ClassVar[str | None] = None
    checks_invoice: ClassVar[bool] = True

    def kind(self, tracker: Tracker) -> str | None:
        """The change (or ``resend``) the form is about, once known."""
        return self.check_kind

    async def order_invoices(self, order_id: str, tracker: Tracker) -> OrderInvoices | None:
        """The order's invoices, or ``None`` (anonymous, or the backend could not say)."""
        customer_id = await known_customer_id(tracker)
        if customer_id is None:
            return None
        try:
            return await backend().get_order_invoices(order_id, customer_id)
        except BackendError:
            return None

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's order is re-asked; no invoice or a refusal ends the form."""
        customer_id = await known_customer_id(tracker)
        if customer_id is None:
            return None
        try:
            invoices = await backend().get_order_invoices(order_id, customer_id)
        except BackendError:
            return None  # checked again when the change is made
        if invoices is None:
            return self.reject(
                "order_id", dispatcher, tracker, "utter_order_not_found", order_id=order_id
            )
        return self.invoice_problem(invoices, self.kind(tracker), dispatcher)

    def invoice_problem(
        self, invoices: OrderInvoices, kind: str | None, dispatcher: CollectingDispatcher
    ) -> dict[str, Any] | None:
        """Ends the form with the reason when ``kind`` is not possible for this order."""
        if not self.checks_invoice:
            return None
        order_id = invoices.order_id
        if invoices.current is None and invoices.order_status not in CLOSED_ORDERS:
            say_no_invoice(dispatcher, order_id)
            return gave_up(order_id)
        reason = invoices.refusal(kind or "title")
        if kind is None and invoices.order_status not in CLOSED_ORDERS:
            reason = None
        if reason:
            say_refused(dispatcher, order_id, reason)
            return gave_up(order_id)
        return None
