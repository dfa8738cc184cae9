"""Invoice changes (换开): the title, 普票 ↔ 专票, electronic ↔ paper.

"发票抬头开错了，要改成公司的", "帮我把普票换成专票", "我要纸质发票，寄到…": one form
(``invoice_change_form``) reads what to change from the request (or asks with buttons),
asks only what that change needs, confirms, and the backend re-issues the invoice.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.invoice_checks import InvoiceOrderChecks, say_no_invoice, say_refused
from actions.invoice_parsing import (
    ELECTRONIC,
    ELECTRONIC_NORMAL,
    PAPER,
    TITLE,
    VAT_SPECIAL,
    parse_bank,
    parse_change_kind,
    parse_company_address,
    parse_mail_address,
    parse_mail_contact,
)
from actions.invoices import TITLE_KIND_SLOT, InvoiceTitleAnswers
from actions.order_changes import CustomerOrderChange
from actions.parsing import parse_order_id
from actions.services import backend
from zhike.common.privacy import mask_address, mask_name, mask_phone
from zhike.lib.backend_client import BackendError

PERSONAL = "个人"
# The slots each change asks for (in this order); the other changes ask for none.
KIND_SLOTS: dict[str, tuple[str, ...]] = {
    TITLE: ("invoice_title", "invoice_tax_number"),
    VAT_SPECIAL: ("invoice_company_address", "invoice_bank"),
    PAPER: ("invoice_mail_address", "invoice_mail_contact"),
}
ALL_KIND_SLOTS = frozenset(slot for slots in KIND_SLOTS.values() for slot in slots)
CHANGE_SLOTS = ("invoice_change", "invoice_change_summary", *sorted(ALL_KIND_SLOTS))
KIND_NAMES = {
    TITLE: "修改发票抬头",
    VAT_SPECIAL: "换开增值税专用发票",
    ELECTRONIC_NORMAL: "换开电子普通发票",
    PAPER: "换开纸质发票",
    ELECTRONIC: "改为电子发票",
}


def change_summary(kind: str, slots: dict[str, Any]) -> str:
    """What will change, in words, with personal data masked (for the confirmation)."""
    if kind == TITLE:
        title = str(slots.get("invoice_title") or "")
        if title == PERSONAL:
            return "将发票抬头改为「个人」"
        return f"将发票抬头改为「{title}」（税号 {slots.get('invoice_tax_number') or ''}）"
    if kind == VAT_SPECIAL:
        bank = parse_bank(slots.get("invoice_bank"))
        detail = f"（开户行 {bank[0]}，账号尾号 {bank[1][-4:]}）" if bank else ""
        return f"换开为增值税专用发票{detail}"
    if kind == PAPER:
        address = str(slots.get("invoice_mail_address") or "")
        contact = parse_mail_contact(slots.get("invoice_mail_contact"))
        who = f"，收件人 {mask_name(contact[0])} {mask_phone(contact[1])}" if contact else ""
        return f"换开为纸质发票，邮寄至 {mask_address(address)}{who}"
    return KIND_NAMES.get(kind, "修改发票")


def change_fields(kind: str, slots: dict[str, Any]) -> dict[str, str]:
    """The backend's fields of the change, from the form's slots."""
    if kind == TITLE:
        title = str(slots.get("invoice_title") or "")
        tax = slots.get("invoice_tax_number")
        return (
            {"title": title}
            if title == PERSONAL or not tax
            else {"title": title, "tax_number": str(tax)}
        )
    if kind == VAT_SPECIAL:
        fields: dict[str, str] = {}
        address = parse_company_address(slots.get("invoice_company_address"))
        if address:
            fields.update(registered_address=address[0], registered_phone=address[1])
        bank = parse_bank(slots.get("invoice_bank"))
        if bank:
            fields.update(bank_name=bank[0], bank_account=bank[1])
        return fields
    if kind == PAPER:
        fields = {"mail_address": str(slots.get("invoice_mail_address") or "")}
        contact = parse_mail_contact(slots.get("invoice_mail_contact"))
        if contact:
            fields.update(mail_recipient=contact[0], mail_phone=contact[1])
        return fields
    return {}


class ValidateInvoiceChangeForm(InvoiceTitleAnswers, InvoiceOrderChecks):
    """Order, what to change, what that change needs, and a confirmation."""

    confirm_words = ("改", "修改", "换", "换开", "更换")

    def name(self) -> str:
        """See the base class."""
        return "validate_invoice_change_form"

    def kind(self, tracker: Tracker) -> str | None:
        """The change asked for (``invoice_change``), once known."""
        return parse_change_kind(tracker.get_slot("invoice_change"))

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Only the slots of the chosen change (a personal title needs no tax number).

        Before the form asked anything, the request itself names the change ("我要纸质发票，
        寄到…"), so that its details in the same message are extracted too.
        """
        kind = self.kind(tracker)
        if kind is None and tracker.get_slot("requested_slot") is None:
            kind = parse_change_kind(self.latest_text(tracker))
        wanted = set(KIND_SLOTS.get(kind or "", ()))
        if tracker.get_slot("invoice_title") == PERSONAL:
            wanted.discard("invoice_tax_number")
        return [
            slot
            for slot in domain_slots
            if slot != "invoice_change_summary" and (slot not in ALL_KIND_SLOTS or slot in wanted)
        ]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Validates; once everything but the confirmation is known, words the change."""
        events = list(await super().run(dispatcher, tracker, domain))
        slots = dict(tracker.slots)
        for event in events:
            if event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
        kind = parse_change_kind(slots.get("invoice_change"))
        if kind is None or slots.get("form_gave_up"):
            return events
        summary = change_summary(kind, slots)
        # only when it changed: a message that filled nothing ("等下 我先问下专票能开吗")
        # must leave no event, so that the form gives it up to be answered
        if summary != tracker.get_slot("invoice_change_summary"):
            events.append(SlotSet("invoice_change_summary", summary))
        return events

    async def extract_invoice_change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """From the request itself ("普票换成专票"), or the typed or clicked button."""
        if tracker.get_slot("invoice_change"):
            return {}
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            kind = parse_change_kind(self.latest_text(tracker))
            return {"invoice_change": kind} if kind else {}
        return self.offered_option("invoice_change", tracker, domain) or self.text_answer(
            "invoice_change", tracker
        )

    async def validate_invoice_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the five changes; refused at once when the invoice does not allow it."""
        kind = parse_change_kind(value)
        if kind is None:
            return self.reject("invoice_change", dispatcher, tracker)
        order_id = parse_order_id(tracker.get_slot("order_id"))
        checked = "order_id" in tracker.slots_to_validate()  # check_order saw this kind
        if order_id and not checked and not tracker.get_slot("form_gave_up"):
            invoices = await self.order_invoices(order_id, tracker)
            problem = None if invoices is None else self.invoice_problem(invoices, kind, dispatcher)
            if problem is not None:
                return {**problem, "invoice_change": kind}
        return {"invoice_change": kind}

    async def extract_invoice_company_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The text when the registered address and phone were asked."""
        return self.text_answer("invoice_company_address", tracker, free_text=True)

    async def validate_invoice_company_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A registered address with a phone number in the same message."""
        ok = parse_company_address(value) is not None
        return self.accept("invoice_company_address", value if ok else None, dispatcher, tracker)

    async def extract_invoice_bank(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The text when the bank and account were asked."""
        return self.text_answer("invoice_bank", tracker, free_text=True)

    async def validate_invoice_bank(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A bank name and an account number of 8-30 digits."""
        ok = parse_bank(value) is not None
        return self.accept("invoice_bank", value if ok else None, dispatcher, tracker)

    async def extract_invoice_mail_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The address after 寄到 in the request itself, or the answer when it was asked."""
        if tracker.get_slot("invoice_mail_address"):
            return {}
        if tracker.get_slot("requested_slot") is None:
            address = parse_mail_address(self.latest_text(tracker))
            return {"invoice_mail_address": address} if address else {}
        return self.text_answer("invoice_mail_address", tracker, free_text=True)

    async def validate_invoice_mail_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A full mailing address."""
        return self.accept("invoice_mail_address", parse_mail_address(value), dispatcher, tracker)

    async def extract_invoice_mail_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The text when the recipient and phone were asked."""
        return self.text_answer("invoice_mail_contact", tracker, free_text=True)

    async def validate_invoice_mail_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A recipient's name and a mainland mobile number."""
        ok = parse_mail_contact(value) is not None
        return self.accept("invoice_mail_contact", value if ok else None, dispatcher, tracker)


class ActionChangeInvoice(CustomerOrderChange):
    """Asks the backend for the change; it records a change request and re-issues."""

    form_slots = ("order_id", *CHANGE_SLOTS, TITLE_KIND_SLOT)
    ticket_category = "invoice"
    declined_response = "utter_invoice_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_change_invoice"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Makes the change; the reply names the request and what happens next."""
        kind = parse_change_kind(tracker.get_slot("invoice_change")) or TITLE
        slots = dict(tracker.slots)
        change = await backend().change_invoice(
            order_id, customer_id, kind, change_fields(kind, slots)
        )
        dispatcher.utter_message(
            response="utter_invoice_changed",
            order_id=order_id,
            change_id=change.change_id,
            summary=change_summary(kind, slots),
            once_note="温馨提示：每张发票的抬头只能修改一次。" if kind == TITLE else "",
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
        """No invoice yet (offered), or the backend's reason."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        if error.code == "no_invoice":
            say_no_invoice(dispatcher, order_id)
        else:
            say_refused(dispatcher, order_id, error.message)
        return []
