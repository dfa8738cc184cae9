"""Booking an installation or repair visit (上门安装 / 上门维修) for one of my orders.

``visit_form``: order, install or repair, fault, paid repair, slot ("明天上午"), contact, yes.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.forms import ZhikeFormValidationAction
from actions.order_changes import CustomerOrderChange, order_to_check
from actions.parsing import parse_address, parse_mobile_phone, parse_order_id, typed_text
from actions.services import backend
from actions.typed_parsing import parse_confirmation
from actions.visit_parsing import (
    KIND_NAMES,
    contact_text,
    fault_description,
    parse_problem,
    parse_visit_kind,
    parse_visit_slot,
    short_name,
    slot_label,
    slot_of,
)
from actions.visit_times import check_time, china_now, extract_time, order_options
from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.visits.domain import INSTALL, REPAIR, VisitItem, VisitOptions

PAID = "paid"
DEFAULT_CONTACT = "default"
NEW_CONTACT = "new"
_KEEP_CONTACT = re.compile(r"就用这|用这个|不用改|不用换|不换|原来的|订单上的|没问题")
_PAID_YES = re.compile(r"付费|自费|收费也|可以收费|愿意付")


def visit_item(options: VisitOptions, kind: str | None) -> VisitItem | None:
    """The line the visit is for: the first installable one (installation), else the first."""
    if kind == INSTALL:
        return next((item for item in options.items if item.installable), None)
    return options.items[0] if options.items else None


class ValidateVisitForm(ZhikeFormValidationAction):
    """Order, kind, fault, paid repair, slot, contact and a confirmation."""

    needs_customer = True
    confirm_words = ("预约", "约", "确认预约")

    def name(self) -> str:
        """See the base class."""
        return "validate_visit_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """No fault for an installation; the paid question only out of warranty."""
        kind = tracker.get_slot("visit_kind")
        skipped = set()
        if kind == INSTALL:
            skipped |= {"visit_problem", "visit_paid"}
        if not tracker.get_slot("visit_needs_payment"):
            skipped.add("visit_paid")
        return [slot for slot in domain_slots if slot not in skipped]

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's order is not found; what the order does not allow is said."""
        order = await order_to_check(self, order_id, dispatcher, tracker)
        if not isinstance(order, Order):
            return order
        kind = tracker.get_slot("visit_kind")
        if not kind or "visit_kind" in tracker.slots_to_validate():
            return None  # validate_visit_kind checks it (once) in this same run
        return await self.check_kind(order_id, kind, dispatcher, tracker)

    async def check_kind(
        self, order_id: str, kind: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Ends the form when ``order_id`` allows no ``kind`` visit (saying why)."""
        options = await order_options(tracker, order_id)
        if options is None:
            return None  # the backend decides when the visit is booked
        item = visit_item(options, kind)
        ended = {"order_id": order_id, "focus_order": order_id, "form_gave_up": True}
        if kind == INSTALL:
            if item is None:
                names = "、".join(short_name(line.name) for line in options.items)
                dispatcher.utter_message(
                    response="utter_visit_not_installable", order_id=order_id, product=names
                )
                return ended
            if item.install_visit_id is not None:
                dispatcher.utter_message(
                    response="utter_visit_install_exists",
                    order_id=order_id,
                    visit_id=item.install_visit_id,
                )
                return ended
            if options.status not in ("shipped", "delivered"):
                dispatcher.utter_message(
                    response="utter_visit_install_too_early", order_id=order_id
                )
                return ended
            return None
        if options.status != "delivered" or item is None:
            dispatcher.utter_message(response="utter_visit_repair_not_delivered", order_id=order_id)
            return ended
        if item.in_warranty:
            return {"visit_needs_payment": False}
        dispatcher.utter_message(
            response="utter_visit_out_of_warranty",
            order_id=order_id,
            product=short_name(item.name),
            warranty=(
                "不提供保修服务"
                if item.warranty_days == 0
                else f"签收已 {item.delivered_days} 天，超过了 {item.warranty_days} 天的保修期"
            ),
        )
        return {"visit_needs_payment": True}

    async def extract_visit_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """From the request ("报修", "装空调") or the answer to the kind question."""
        if tracker.get_slot("visit_kind"):
            return {}
        requested = tracker.get_slot("requested_slot")
        text = self.latest_text(tracker)
        if requested is None:  # "空调什么时候上门安装", then its order and a pick: 安装
            said = [typed_text(t) for t in said_in_form(tracker, self.form_name())] or [text]
            text = next((t for t in reversed(said) if parse_visit_kind(t)), text)
            kind = parse_visit_kind(text)
            problem = fault_description(text) if kind == REPAIR else None
            found: dict[str, Any] = {"visit_kind": kind} if kind else {}
            return {**found, "visit_problem": problem} if problem else found
        if requested != "visit_kind":
            return {}
        option = self.offered_option("visit_kind", tracker, domain)
        if option:
            return option
        kind = parse_visit_kind(text)
        return {"visit_kind": kind} if kind else self.text_answer("visit_kind", tracker)

    async def validate_visit_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``install`` or ``repair``; checks the order's eligibility once both are known."""
        kind = value if value in (INSTALL, REPAIR) else parse_visit_kind(value)
        if kind is None:
            return self.reject("visit_kind", dispatcher, tracker)
        order_id = parse_order_id(tracker.get_slot("order_id"))
        problem = await self.check_kind(order_id, kind, dispatcher, tracker) if order_id else None
        return {"visit_kind": kind, **(problem or {})}

    async def extract_visit_problem(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The customer's text when the fault was asked."""
        return self.text_answer("visit_problem", tracker, free_text=True)

    async def validate_visit_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A description of 2-200 characters."""
        return self.accept("visit_problem", parse_problem(value), dispatcher, tracker)

    async def extract_visit_paid(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes to the paid repair: the button, a typed yes, or ``affirm``."""
        if tracker.get_slot("requested_slot") != "visit_paid":
            return {}
        option = self.offered_option("visit_paid", tracker, domain)
        if option:
            return option
        text = self.latest_text(tracker)
        typed = parse_confirmation(text, ("付费", "维修", "修", "预约"))
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if typed or _PAID_YES.search(text) or (typed is None and intent == "affirm"):
            return {"visit_paid": PAID}
        return {}

    async def validate_visit_paid(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Only a yes fills it (a no leaves the form through its rules)."""
        return {"visit_paid": PAID} if value else self.reject("visit_paid", dispatcher, tracker)

    async def extract_visit_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The slot named in the request ("明天上午来装") or the answer to the question."""
        return await extract_time(self, tracker, domain)

    async def validate_visit_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A free slot of the order from tomorrow to 14 days ahead; else re-asked.

        Said before the order is known ("明天下午行不行" asked which order), it is noted
        as said and checked once the order is picked (:meth:`validate_order_id`).
        """
        order_id = parse_order_id(tracker.get_slot("order_id"))
        if order_id is None:
            answer = parse_visit_slot(str(value), china_now())
            said = slot_label(answer.day, answer.period) if answer.day and answer.period else value
            dispatcher.utter_message(response="utter_visit_time_noted", time=str(said))
            return {"visit_time": str(value)}
        options = await order_options(tracker, order_id)
        return check_time(self, value, options, dispatcher, tracker)

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order, unless the reply to "which order" names the visit's time ("明天下午")."""
        if tracker.get_slot("requested_slot") == "order_id" and await extract_time(
            self, tracker, domain
        ):
            return {}
        return await super().extract_order_id(dispatcher, tracker, domain)

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order; a time noted before it was picked is checked against it now."""
        picked = await super().validate_order_id(value, dispatcher, tracker, domain)
        time = tracker.get_slot("visit_time")
        pending = time and slot_of(time) is None and "visit_time" not in tracker.slots_to_validate()
        if not picked.get("order_id") or picked.get("form_gave_up") or not pending:
            return picked
        tracker.slots.update(picked)
        return {**picked, **await self.validate_visit_time(time, dispatcher, tracker, domain)}

    async def extract_visit_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes to the order's address and phone, or a new address and/or phone."""
        if tracker.get_slot("requested_slot") != "visit_contact":
            return {}
        text = self.latest_text(tracker)
        if parse_mobile_phone(text) or parse_address(text):
            return self.text_answer("visit_contact", tracker, free_text=True)
        typed = parse_confirmation(text, ("用这个", "就用这个", "不用改", "不变"))
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if typed or _KEEP_CONTACT.search(text) or (typed is None and intent == "affirm"):
            return {"visit_contact": DEFAULT_CONTACT}
        return self.text_answer("visit_contact", tracker, free_text=True)

    async def validate_visit_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order's contact, or a new address (checked) and/or mobile phone."""
        phone = parse_mobile_phone(value)
        rest = str(value).replace(phone, " ") if phone else str(value)
        address = parse_address(rest)
        keep = phone is None and address is None and _KEEP_CONTACT.search(str(value))
        if value == DEFAULT_CONTACT or keep:
            return {"visit_contact": DEFAULT_CONTACT, "visit_address": None, "visit_phone": None}
        if phone is None and address is None:
            return self.reject("visit_contact", dispatcher, tracker)
        return {
            "visit_contact": NEW_CONTACT,
            "visit_address": address or tracker.get_slot("visit_address"),
            "visit_phone": phone or tracker.get_slot("visit_phone"),
        }


class ActionBookVisit(CustomerOrderChange):
    """Books the visit; a refusal is explained with the backend's reason."""

    form_slots = (
        "order_id",
        "visit_kind",
        "visit_problem",
        "visit_paid",
        "visit_time",
        "visit_contact",
        "visit_address",
        "visit_phone",
        "visit_needs_payment",
        "visit_summary",
    )
    declined_response = "utter_visit_not_booked"

    def name(self) -> str:
        """See the base class."""
        return "action_book_visit"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Books with the form's slots; says the visit id, slot and masked contact."""
        kept = slot_of(tracker.get_slot("visit_time"))
        if kept is None:
            dispatcher.utter_message(response="utter_visit_not_booked")
            return []
        kind = str(tracker.get_slot("visit_kind") or INSTALL)
        visit = await backend().book_visit(
            order_id,
            customer_id,
            kind,
            kept[0],
            kept[1],
            address=tracker.get_slot("visit_address") or None,
            phone=tracker.get_slot("visit_phone") or None,
            problem=str(tracker.get_slot("visit_problem") or "") if kind == REPAIR else "",
            paid=tracker.get_slot("visit_paid") == PAID,
        )
        dispatcher.utter_message(
            response="utter_visit_booked",
            visit_id=visit.visit_id,
            what=f"{short_name(visit.product_name)}{KIND_NAMES.get(visit.kind, '')}",
            slot=slot_label(visit.day, visit.period),
            contact=contact_text(visit.address, visit.phone),
        )
        return [SlotSet("focus_order", order_id)]

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Not found as for any order; any other refusal with the backend's reason."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        dispatcher.utter_message(
            response="utter_visit_refused", order_id=order_id, reason=error.message
        )
        return []
