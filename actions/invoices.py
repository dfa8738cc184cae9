"""Invoices (发票): a personal or company electronic invoice for a paid order."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.form_binding import has_digit
from actions.forms import ZhikeFormValidationAction
from actions.order_changes import CustomerOrderChange, order_to_check
from actions.parsing import TITLE_LABEL, normalize_text, parse_invoice_title, parse_tax_number
from actions.services import backend
from zhike.common.confirmations import parse_confirmation
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.domain import ELECTRONIC_NORMAL, Invoice

if TYPE_CHECKING:
    _FormBase = ZhikeFormValidationAction
else:  # at run time the mixin adds no Action class of its own
    _FormBase = object

PERSONAL = "个人"
# "公司的" without the name: the title is asked again as a company's name.
TITLE_KIND_SLOT, COMPANY = "invoice_title_kind", "company"
# The company title of a request put off for the tax number, taken by the next request.
KEPT_TITLE_SLOT = "invoice_title_kept"
# A message that is nothing but a company's name ("杭州某某科技有限公司"): a title, whatever
# was asked. "我要公司的" is not one.
_COMPANY = (
    r"[\u4e00-\u9fffA-Za-z0-9（）()·&]{2,60}?"
    r"(?:有限责任公司|股份有限公司|有限公司|公司|集团|研究院|研究所|事务所|工作室|学校|大学|医院|中心)"
)
COMPANY_NAME = re.compile(f"^{_COMPANY}$")
# "开发票 抬头上海某某科技有限公司 税号…", "公司是上海某某有限公司": the title named in a
# longer message (never "公司是" as part of the name).
TITLE_IN_TEXT = re.compile(f"{TITLE_LABEL}[:：\\s]*({_COMPANY})")
# "个人的就行", "抬头写个人": a personal title said with the request (not "我个人觉得").
PERSONAL_SAID = re.compile(
    r"(?:抬头|开|写|要|是|就)个人(?:的|抬头|发票)?(?=$|[\s，,。!！~～]|就|吧|即可|哈)"
    r"|(?:^|[\s，,。])个人(?:的|抬头)?(?=$|[\s，,。!！~～]|就|吧|即可)"
)
# Looking a number up ("我找找", "我查一下", "稍等"): not a wrong answer.
LOOKING = re.compile(r"(?:找|查|翻)(?:一下|一找|找|下|查)|等一?下|稍等|我看看|马上")
# Not at hand today ("税号还没拿到 晚点发你"): the invoice waits, nothing is submitted.
LATER = re.compile(
    r"晚点|晚些|晚一点|回头|改天|明天|过会儿?|稍后|之后再|以后再|等会儿?再|"
    r"(?:还没|没)(?:拿到|找到|问到|要到)|问问?(?:一下)?财务|等我(?:拿到|找到|问)"
)
# "公司的", "开单位的", "改成公司的": the kind of title, not yet the company's name.
TITLE_KIND = re.compile(
    r"^(?:改成|改为|换成|开成|写成|要开|开个|开|要|是|就)?(?:公司|单位|企业)(?:的|抬头|发票)*[吧啊哦呀]?$"
)
INVOICE_STATUS = {"requested": "开票中", "issued": "已开具", "rejected": "未通过"}
_PARTS = re.compile(r"[\s，,。；;：:]+")
# "是上海某某有限公司", "应该是…", "要改成…": how the name is said, not part of it ("要改成公司"
# names no company).
_SAID_AS = re.compile(
    r"^(?:(?:应该|其实|就)?是|(?:要|想|得|帮我|给我)?(?:改成|改为|换成|开成))(?=..)"
)


def company_named(text: str) -> str | None:
    """A company's name after 抬头, or as a whole part of ``text`` ("公司的 上海某某有限公司")."""
    named = TITLE_IN_TEXT.search(text)
    if named:
        return named.group(1)
    parts = (_SAID_AS.sub("", part) for part in _PARTS.split(text))
    return next((part for part in parts if COMPANY_NAME.match(part)), None)


def say_invoice_exists(dispatcher: CollectingDispatcher, order_id: str, invoice: Invoice) -> None:
    """The order's invoice, instead of a second one (「已经申请过发票啦」)."""
    dispatcher.utter_message(
        response="utter_invoice_exists",
        order_id=order_id,
        invoice_id=invoice.invoice_id,
        status_label=INVOICE_STATUS.get(invoice.status, "处理中"),
    )


class InvoiceTitleAnswers(_FormBase):
    """The title and tax-number answers, shared by the invoice request and change forms."""

    def noted_detail(self, text: str, tracker: Tracker) -> str | None:
        """A company name or a tax number given while the phone or code is asked.

        "杭州某某科技有限公司" there is no wrong phone: it is noted, and the form takes it
        when it gets to the title (:meth:`said_before`).
        """
        if parse_tax_number(text):
            return "税号"
        company = company_named(text)
        return f"发票抬头「{company}」" if company else None

    def said_before(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """The title or tax number the customer gave before it was asked, if any."""
        for text in reversed(said_in_form(tracker, self.form_name())):
            typed = normalize_text(text)
            if slot == "invoice_tax_number" and parse_tax_number(typed):
                return {slot: typed}
            company = company_named(typed) if slot == "invoice_title" else None
            if company:  # "开发票 抬头上海某某有限公司 税号…", "公司的 上海某某有限公司"
                return {slot: company}
            if slot == "invoice_title" and self.form_name() == "invoice_form":
                if PERSONAL_SAID.search(typed):  # "帮我开个电子发票 个人的就行 HP20240003"
                    return {slot: PERSONAL}  # (in a change, "个人" may be the old title)
        return {}

    async def extract_invoice_title(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The typed button ("个人", "1"), or the user's text when the title was asked.

        A company name given before (during the identity check) is taken at once.
        """
        if tracker.get_slot("invoice_title"):
            return {}
        if tracker.get_slot("requested_slot") != "invoice_title":
            kept = tracker.get_slot(KEPT_TITLE_SLOT)
            if kept and self.form_name() == "invoice_form":  # taken once: a "no" asks afresh
                said = self.said_before("invoice_title", tracker)
                return {"invoice_title": kept, **said, KEPT_TITLE_SLOT: None}
            return self.said_before("invoice_title", tracker)
        return self.offered_option("invoice_title", tracker, domain) or self.text_answer(
            "invoice_title", tracker, free_text=True
        )

    async def validate_invoice_title(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``个人`` or a company name of 2-100 characters ("公司的" asks for the name)."""
        if TITLE_KIND.match(normalize_text(value).strip(" 。.,，!！")):
            # asked again as a company's name (utter_ask_*_invoice_title's variant)
            return {"invoice_title": None, TITLE_KIND_SLOT: COMPANY}
        if parse_confirmation(value) is not None:  # "对的" is no company's name
            return self.reject("invoice_title", dispatcher, tracker)
        return self.accept("invoice_title", parse_invoice_title(value), dispatcher, tracker)

    async def extract_invoice_tax_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's text when the tax number was asked (or a number given before)."""
        if tracker.get_slot("invoice_tax_number"):
            return {}
        if tracker.get_slot("requested_slot") != "invoice_tax_number":
            return self.said_before("invoice_tax_number", tracker)
        return self.text_answer("invoice_tax_number", tracker)

    async def validate_invoice_tax_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A unified social credit code with a correct check character.

        "税号是多少来着 我找找" is no wrong number: the customer is looking for it; "还没拿到
        晚点发你" ends the request politely instead of asking three times.
        """
        parsed = parse_tax_number(value)
        if parsed is None and not has_digit(value) and LATER.search(normalize_text(value)):
            # "税号还没拿到 晚点发你": the form ends; asked again it starts afresh
            title = tracker.get_slot("invoice_title")
            kept = title if title and title != PERSONAL else None
            if kept:
                dispatcher.utter_message(response="utter_invoice_tax_number_later_kept", title=kept)
            else:
                dispatcher.utter_message(response="utter_invoice_tax_number_later")
            return {
                "invoice_tax_number": None,
                "form_gave_up": True,
                "requested_slot": None,
                KEPT_TITLE_SLOT: kept,
            }
        if parsed is None and not has_digit(value) and LOOKING.search(normalize_text(value)):
            dispatcher.utter_message(response="utter_binding_wait")
            return {"invoice_tax_number": None}
        company = None if parsed or has_digit(value) else company_named(normalize_text(value))
        if company:  # a company's name where its tax number is asked: no wrong number
            return self.title_at_tax_number(company, dispatcher, tracker)
        return self.accept("invoice_tax_number", parsed, dispatcher, tracker)

    @staticmethod
    def title_at_tax_number(
        company: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The title said again is told apart from the tax number; another one corrects it.

        "上海智客信息科技有限公司" once more at the tax number's question was "税号校验没有
        通过"; the customer took the question for the name's. A name other than the title
        is the title corrected ("哦不对 是上海智客网络科技有限公司").
        """
        if company == tracker.get_slot("invoice_title"):
            dispatcher.utter_message(response="utter_invoice_tax_number_not_title", title=company)
            return {"invoice_tax_number": None}
        dispatcher.utter_message(response="utter_invoice_title_corrected", title=company)
        return {"invoice_tax_number": None, "invoice_title": company}


class ValidateInvoiceForm(InvoiceTitleAnswers, ZhikeFormValidationAction):
    """Order number, title (个人 or a company) and, for a company, its tax number."""

    needs_customer = True
    confirm_words = ("开", "开票", "开具")

    def name(self) -> str:
        """See the base class."""
        return "validate_invoice_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """A personal invoice needs no tax number."""
        if tracker.get_slot("invoice_title") == PERSONAL:
            return [slot for slot in domain_slots if slot != "invoice_tax_number"]
        return domain_slots

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """An order invoiced already is told at once, before the title is asked.

        The backend's rule (one invoice per order, unless rejected) decides again when
        the invoice is requested.
        """
        order = await order_to_check(self, order_id, dispatcher, tracker)
        if not isinstance(order, Order):
            return order
        current = next((i for i in reversed(order.invoices) if i.status != "rejected"), None)
        if current is None:
            return None
        say_invoice_exists(dispatcher, order_id, current)
        return {"order_id": order_id, FOCUS_ORDER_SLOT: order_id, "form_gave_up": True}


class ActionRequestInvoice(CustomerOrderChange):
    """Requests an electronic invoice; an existing one is shown instead of a second."""

    form_slots = ("order_id", "invoice_title", "invoice_tax_number", TITLE_KIND_SLOT)
    ticket_category = "invoice"
    declined_response = "utter_invoice_not_requested"

    def name(self) -> str:
        """See the base class."""
        return "action_request_invoice"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Requests the invoice with the form's title (and tax number for a company)."""
        title = str(tracker.get_slot("invoice_title") or "")
        tax_number = None if title == PERSONAL else tracker.get_slot("invoice_tax_number")
        invoice = await backend().request_invoice(
            order_id, customer_id, title, ELECTRONIC_NORMAL, tax_number
        )
        dispatcher.utter_message(response="utter_invoice_requested", invoice_id=invoice.invoice_id)
        return [SlotSet(KEPT_TITLE_SLOT, None)]

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """An invoice exists already (shown), or the order does not qualify (why)."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        if error.code == "invoice_exists":
            try:
                order = await backend().get_order(order_id)
            except BackendError:
                order = None
            invoice = order.invoices[-1] if order is not None and order.invoices else None
            if invoice is not None:
                say_invoice_exists(dispatcher, order_id, invoice)
                return []
        dispatcher.utter_message(
            response="utter_invoice_refused", order_id=order_id, reason=error.message
        )
        return []
