"""Invoices (发票): a personal or company electronic invoice for a paid order."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ZhikeFormValidationAction
from actions.order_changes import CustomerOrderChange
from actions.parsing import parse_invoice_title, parse_tax_number
from actions.services import backend
from actions.submit import apologise
from zhike.backend_client import BackendError, BackendUnavailable
from zhike.backend_client.domain import ELECTRONIC_NORMAL

PERSONAL = "个人"
INVOICE_STATUS = {"requested": "开票中", "issued": "已开具", "rejected": "未通过"}


class ValidateInvoiceForm(ZhikeFormValidationAction):
    """Order number, title (个人 or a company) and, for a company, its tax number."""

    needs_customer = True

    def name(self) -> str:
        """See the base class."""
        return "validate_invoice_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """A personal invoice needs no tax number."""
        if tracker.get_slot("invoice_title") == PERSONAL:
            return [slot for slot in domain_slots if slot != "invoice_tax_number"]
        return domain_slots

    async def extract_invoice_title(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's text when the title was asked."""
        return self.text_answer("invoice_title", tracker)

    async def validate_invoice_title(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``个人`` or a company name of 2-100 characters."""
        title = parse_invoice_title(value)
        if title is None:
            return self.reject("invoice_title", dispatcher, tracker)
        return {"invoice_title": title}

    async def extract_invoice_tax_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's text when the tax number was asked."""
        return self.text_answer("invoice_tax_number", tracker)

    async def validate_invoice_tax_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A unified social credit code with a correct check character."""
        tax_number = parse_tax_number(value)
        if tax_number is None:
            return self.reject("invoice_tax_number", dispatcher, tracker)
        return {"invoice_tax_number": tax_number}


class ActionRequestInvoice(CustomerOrderChange):
    """Requests an electronic invoice; an existing one is shown instead of a second."""

    form_slots = ("order_id", "invoice_title", "invoice_tax_number")

    def name(self) -> str:
        """See the base class."""
        return "action_request_invoice"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Requests the invoice after a "yes"."""
        try:
            customer_id, order_id = await self.customer_and_order(tracker)
        except BackendUnavailable:
            return await apologise(
                dispatcher, tracker, "invoice", "申请发票失败（身份查询失败）", None
            )
        title = tracker.get_slot("invoice_title") or ""
        if customer_id is None or order_id is None or not title:
            dispatcher.utter_message(response="utter_need_customer")
            return []
        if not tracker.get_slot("confirmed"):
            dispatcher.utter_message(response="utter_invoice_not_requested")
            return []
        tax_number = None if title == PERSONAL else tracker.get_slot("invoice_tax_number")
        try:
            invoice = await backend().request_invoice(
                order_id, customer_id, title, ELECTRONIC_NORMAL, tax_number
            )
        except BackendUnavailable:
            summary = f"客户 {customer_id} 为订单 {order_id} 申请发票（抬头：{title}）时系统故障"
            return await apologise(dispatcher, tracker, "invoice", summary, customer_id)
        except BackendError as error:
            return await self._refused(dispatcher, error, order_id)
        dispatcher.utter_message(response="utter_invoice_requested", invoice_id=invoice.invoice_id)
        return []

    async def _refused(
        self, dispatcher: CollectingDispatcher, error: BackendError, order_id: str
    ) -> list[dict[str, Any]]:
        if error.code == "invoice_exists":
            try:
                order = await backend().get_order(order_id)
            except BackendError:
                order = None
            invoice = order.invoices[-1] if order is not None and order.invoices else None
            if invoice is not None:
                dispatcher.utter_message(
                    response="utter_invoice_exists",
                    order_id=order_id,
                    invoice_id=invoice.invoice_id,
                    status_label=INVOICE_STATUS.get(invoice.status, "处理中"),
                )
                return []
        if error.code in (None, "not_found", "invalid_order_id"):
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return []
        dispatcher.utter_message(
            response="utter_invoice_refused", order_id=order_id, reason=error.message
        )
        return []
