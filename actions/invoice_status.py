"""Invoice status and re-sending: "我的发票开好了没", "发票发我邮箱 xxx@qq.com"."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import identify
from actions.invoice_checks import InvoiceOrderChecks, say_no_invoice, say_refused
from actions.invoice_parsing import parse_email
from actions.order_changes import CustomerOrderChange
from actions.parsing import parse_order_id
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from zhike.common.privacy import mask_address, mask_name, mask_phone
from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.invoices import InvoiceDetail

STATUS_LABELS = {
    "requested": "开具中",
    "issued": "已开具",
    "rejected": "未通过",
    "reissuing": "换开中",
}
TYPE_NAMES = {"electronic_normal": "普通发票", "vat_special": "增值税专用发票"}  # after the medium
MEDIUM_NAMES = {"electronic": "电子", "paper": "纸质"}
CHANGE_NAMES = {
    "title": "修改抬头",
    "vat_special": "换开专票",
    "electronic_normal": "换开普票",
    "paper": "换开纸质发票",
    "electronic": "改为电子发票",
}


def mask_email(email: str) -> str:
    """``zhangwei@qq.com`` -> ``zh****@qq.com`` (the domain stays readable)."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}****@{domain}" if domain else email


def where_sent(invoice: InvoiceDetail) -> str:
    """Where the invoice went (masked) or what happens next."""
    changing = [change for change in invoice.changes if change.status == "processing"]
    if invoice.status == "reissuing" and changing:
        last = changing[-1]
        what = CHANGE_NAMES.get(last.kind, "修改")
        return f"{what}申请 {last.change_id} 处理中，原发票作废后会重新开具，预计 1–3 个工作日。"
    if invoice.status == "requested":
        return "预计 1–3 个工作日内开具，开好后会发送到您的账户「我的发票」。"
    if invoice.status == "rejected":
        return "开票申请没有通过，您可以重新申请。"
    if invoice.medium == "paper" and invoice.mail_address:
        who = mask_name(invoice.mail_recipient or "")
        phone = mask_phone(invoice.mail_phone or "")
        return f"纸质发票邮寄至 {mask_address(invoice.mail_address)}（{who} {phone}）。"
    if invoice.email:
        return f"已发送至邮箱 {mask_email(invoice.email)}，也可以在「我的发票」中查看下载。"
    return "可以在 App「我的 → 我的发票」中查看和下载。"


def describe(invoice: InvoiceDetail) -> dict[str, str]:
    """The parameters of ``utter_invoice_status``."""
    return {
        "invoice_id": invoice.invoice_id,
        "invoice_type": TYPE_NAMES.get(invoice.type, "发票"),
        "medium": MEDIUM_NAMES.get(invoice.medium, "电子"),
        "title": invoice.title,
        "status_label": STATUS_LABELS.get(invoice.status, "处理中"),
        "where": where_sent(invoice),
    }


class ValidateInvoiceStatusForm(InvoiceOrderChecks):
    """The order whose invoice is asked about (the customer's own)."""

    checks_invoice = False

    def name(self) -> str:
        """See the base class."""
        return "validate_invoice_status_form"


class ActionInvoiceStatus(FormSubmitAction):
    """Says the invoice's status, type, medium and where it was sent (masked)."""

    form_slots = ("order_id",)

    def name(self) -> str:
        """See the base class."""
        return "action_invoice_status"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The current invoice, or an offer to request one."""
        order_id = parse_order_id(tracker.get_slot("order_id"))
        if order_id is None:
            dispatcher.utter_message(response="utter_need_customer")
            return []
        try:
            customer_id = (await identify(tracker)).customer_id
            if customer_id is None:
                dispatcher.utter_message(response="utter_need_customer")
                return []
            invoices = await backend().get_order_invoices(order_id, customer_id)
        except BackendUnavailable:
            summary = f"{self.name()}：查询订单 {order_id} 的发票时系统故障"
            return await apologise(dispatcher, tracker, "invoice", summary, None)
        except BackendError:
            invoices = None
        if invoices is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return []
        invoice = invoices.current or (invoices.invoices[-1] if invoices.invoices else None)
        if invoice is None:
            say_no_invoice(dispatcher, order_id)
            return []
        dispatcher.utter_message(
            response="utter_invoice_status", order_id=order_id, **describe(invoice)
        )
        return []


# "就原来那个", "发我之前留的邮箱": an address the customer thinks is on file
_ON_FILE = re.compile(r"原来|之前|以前|上次|老的|留的|默认|注册|绑定|账号上|账户上|那个邮箱")


class ValidateInvoiceResendForm(InvoiceOrderChecks):
    """Order, the e-mail address, and a confirmation."""

    check_kind = "resend"
    confirm_words = ("发", "发送", "重发")

    def name(self) -> str:
        """See the base class."""
        return "validate_invoice_resend_form"

    async def extract_invoice_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An address in any message of the form ("发我邮箱 a@qq.com"), or the answer."""
        if tracker.get_slot("invoice_email"):
            return {}
        email = parse_email(self.latest_text(tracker))
        if email and tracker.get_slot("requested_slot") in (None, "order_id", "invoice_email"):
            return {"invoice_email": email}
        return self.text_answer("invoice_email", tracker)

    async def validate_invoice_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A well-formed e-mail address.

        "就原来那个" without one: the robot keeps no address on file, and says so instead
        of 「邮箱格式好像不对」.
        """
        email = parse_email(value)
        if email is None and _ON_FILE.search(str(value or "")):
            return self.reject(
                "invoice_email", dispatcher, tracker, "utter_invoice_email_not_on_file"
            )
        return self.accept("invoice_email", email, dispatcher, tracker)


class ActionResendInvoice(CustomerOrderChange):
    """Sends the issued electronic invoice to the e-mail address."""

    form_slots = ("order_id", "invoice_email")
    ticket_category = "invoice"
    declined_response = "utter_invoice_not_resent"

    def name(self) -> str:
        """See the base class."""
        return "action_resend_invoice"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Sends; the reply names the invoice and the address."""
        email = str(tracker.get_slot("invoice_email") or "")
        invoices = await backend().resend_invoice(order_id, customer_id, email)
        invoice = invoices.current
        dispatcher.utter_message(
            response="utter_invoice_resent",
            order_id=order_id,
            invoice_id=invoice.invoice_id if invoice else "",
            email=email,
        )
        return []

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Not issued yet, a paper invoice, no invoice (offered), or a bad address."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        if error.code == "no_invoice":
            say_no_invoice(dispatcher, order_id)
        else:
            say_refused(dispatcher, order_id, error.message)
        return []
