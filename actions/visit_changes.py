"""Changing, cancelling and following a booked visit ("安装改到周日", "不装了取消预约").

The visit is the one the customer names (its ``SV`` number, its order, or the product:
"电视的安装"), the only open one, or picked from buttons. ``action_visit_status`` says
where each visit stands (booked -> assigned to 王师傅 -> done / cancelled).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import remind_active_form
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify, known_customer_id
from actions.order_questions import service_button
from actions.parsing import parse_order_id
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from actions.verify_first import customer_asking, request_message, verify_first
from actions.visit_parsing import (
    KIND_NAMES,
    parse_visit_id,
    shift_days,
    short_name,
    slot_label,
    slot_of,
    slot_value,
    visit_line,
)
from actions.visit_times import check_time, extract_time, order_options
from zhike.common.confirmations import is_yes_or_thanks
from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.visits.domain import OPEN_VISIT_STATUSES, Visit

logger = logging.getLogger(__name__)
_PRODUCT_WORDS = ("空调", "电视", "洗衣机", "冰箱", "热水器")


async def open_visits(tracker: Tracker) -> list[Visit] | None:
    """The identified customer's open visits; ``None`` when the customer is unknown."""
    customer_id = await known_customer_id(tracker)
    if customer_id is None:
        return None
    visits = await backend().list_visits(customer_id)
    return [visit for visit in visits if visit.status in OPEN_VISIT_STATUSES]


def named_visit(text: str, visits: list[Visit]) -> Visit | None:
    """The visit ``text`` names: its number, its order, or its product (when only one)."""
    visit_id = parse_visit_id(text)
    if visit_id:
        return next((visit for visit in visits if visit.visit_id == visit_id), None)
    order_id = parse_order_id(text)
    if order_id:
        return next((visit for visit in visits if visit.order_id == order_id), None)
    found = of_product_named(text, visits)
    return found[0] if len(found) == 1 else None


def of_product_named(text: str, visits: list[Visit]) -> list[Visit]:
    """The visits for the product ``text`` names ("我那个空调"), none when it names none."""
    word = next((word for word in _PRODUCT_WORDS if word in text), None)
    return [visit for visit in visits if word and word in visit.product_name]


def visit_button(visit: Visit) -> dict[str, str]:
    """An open visit as a button (the payload is its number)."""
    what = f"{short_name(visit.product_name)}{KIND_NAMES.get(visit.kind, '')}"
    title = f"{visit.visit_id} {what} {slot_label(visit.day, visit.period)}"
    return {"title": title, "payload": visit.visit_id}


class VisitFormValidation(ZhikeFormValidationAction, ABC):
    """The shared ``visit_id`` slot of the change and cancel forms."""

    needs_customer = True

    @abstractmethod
    def describe(self, visit: Visit) -> dict[str, Any]:
        """Slots to set once the visit is known (the confirmation's summary)."""

    async def extract_visit_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Named in the message, the only open visit, or a picked button."""
        if tracker.get_slot("visit_id"):
            return {}
        requested = tracker.get_slot("requested_slot")
        if requested not in (None, "visit_id"):
            return {}
        text = self.latest_text(tracker)
        option = self.offered_option("visit_id", tracker, domain)
        if option:
            return option
        try:
            visits = await open_visits(tracker)
        except BackendError:
            return {}
        if visits is None:
            return {}
        named = named_visit(text, visits)
        if named is not None:
            return {"visit_id": named.visit_id}
        if parse_visit_id(text) or parse_order_id(text):
            return {"visit_id": parse_visit_id(text) or parse_order_id(text)}
        if requested is None and len(visits) <= 1:
            return {"visit_id": visits[0].visit_id if visits else "none"}
        focused = [visit for visit in visits if visit.order_id == tracker.get_slot("focus_order")]
        if requested is None and len(focused) == 1:
            return {"visit_id": focused[0].visit_id}  # "那能不能改到周六" after its status
        if requested == "visit_id" and is_yes_or_thanks(text):
            return {"visit_id": text}  # "好的" to which visit: asked to pick one (reject)
        return {}

    async def validate_visit_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the customer's open visits; none at all ends the form."""
        try:
            visits = await open_visits(tracker)
        except BackendError:
            return {"visit_id": str(value)}  # checked again when the change is made
        if visits is None:
            return {"visit_id": str(value)}
        if not visits:
            dispatcher.utter_message(response="utter_no_open_visits")
            return {"visit_id": None, "form_gave_up": True}
        wanted = str(value or "")
        visit = next((v for v in visits if v.visit_id == wanted), None) or named_visit(
            wanted, visits
        )
        if visit is None:
            shown = parse_visit_id(wanted) or parse_order_id(wanted) or wanted
            return self.reject(
                "visit_id", dispatcher, tracker, "utter_visit_not_found", visit_id=shown
            )
        return {
            "visit_id": visit.visit_id,
            "visit_order_id": visit.order_id,
            **self.describe(visit),
        }


class ValidateVisitChangeForm(VisitFormValidation):
    """The visit, its new slot and a confirmation."""

    confirm_words = ("改", "改约", "修改", "确认改约")

    def name(self) -> str:
        """See the base class."""
        return "validate_visit_change_form"

    def describe(self, visit: Visit) -> dict[str, Any]:
        """The current slot, repeated in the confirmation."""
        return {"visit_summary": slot_label(visit.day, visit.period)}

    async def validate_visit_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The visit; a new time said before it was picked is checked against it now.

        "明天下午可以吗" after the list of visits names the time first: once the visit is
        known, that time is checked against its order's free slots and summed up (or asked
        again with the reason).
        """
        picked = await super().validate_visit_id(value, dispatcher, tracker, domain)
        time = tracker.get_slot("visit_time")
        if not time or not picked.get("visit_order_id"):
            return picked
        tracker.slots.update(picked)
        return {**picked, **await self.validate_visit_time(time, dispatcher, tracker, domain)}

    async def extract_visit_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The new slot named in the request ("改到周日上午") or the answer."""
        return await extract_time(self, tracker, domain)

    async def validate_visit_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A free slot of the visit's order; the same slot again is re-asked.

        "往后推一天" moves the booked visit by a day, at the same part of day.
        """
        visit_id = str(tracker.get_slot("visit_id") or "")
        visit = await _open_visit(tracker, visit_id)
        shift = shift_days(value) if slot_of(value) is None else None
        if shift is not None and visit is not None:
            value = slot_value(visit.day + timedelta(days=shift), visit.period)
        options = await order_options(tracker, tracker.get_slot("visit_order_id"))
        checked = check_time(self, value, options, dispatcher, tracker)
        new = slot_of(checked.get("visit_time"))
        if new is None:
            return checked
        if visit is not None and (visit.day, visit.period) == new:
            return self.reject("visit_time", dispatcher, tracker, "utter_visit_same_slot")
        old = f"{slot_label(visit.day, visit.period)} " if visit is not None else ""
        summary = f"将预约单 {visit_id} 的上门时间从 {old}改为 {slot_label(*new)}"
        return {**checked, "visit_summary": summary}


async def _open_visit(tracker: Tracker, visit_id: str) -> Visit | None:
    """The customer's open visit ``visit_id`` (None when unknown or the lookup failed)."""
    try:
        visits = await open_visits(tracker) or []
    except BackendError:
        visits = []
    return next((v for v in visits if v.visit_id == visit_id), None)


class ValidateVisitCancelForm(VisitFormValidation):
    """The visit and a confirmation."""

    confirm_words = ("取消", "确认取消", "不装了", "不修了")

    def name(self) -> str:
        """See the base class."""
        return "validate_visit_cancel_form"

    def describe(self, visit: Visit) -> dict[str, Any]:
        """What is cancelled, repeated in the confirmation."""
        what = f"{short_name(visit.product_name)}{KIND_NAMES.get(visit.kind, '')}"
        return {"visit_summary": f"{what}，{slot_label(visit.day, visit.period)}"}


class ActionAskVisitId(Action):
    """Asks which visit, with the customer's open visits as buttons."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_visit_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One button per open visit."""
        try:
            visits = await open_visits(tracker) or []
        except BackendError:
            visits = []
        buttons = [visit_button(visit) for visit in visits[:5]]
        dispatcher.utter_message(response="utter_ask_visit_id", buttons=buttons)
        return []


class VisitChange(FormSubmitAction, ABC):
    """A confirmed change of a visit: identity, confirmation, backend down, refusals."""

    form_slots: ClassVar[tuple[str, ...]] = (
        "visit_id",
        "visit_order_id",
        "visit_time",
        "visit_summary",
    )
    declined_response: ClassVar[str]

    @abstractmethod
    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, visit_id: str
    ) -> list[dict[str, Any]]:
        """Makes the change and tells the customer; backend errors propagate."""

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Like :class:`actions.order_changes.CustomerOrderChange`, for a visit."""
        visit_id = str(tracker.get_slot("visit_id") or "")
        try:
            customer_id = (await identify(tracker)).customer_id
        except BackendUnavailable:
            summary = f"{self.name()}：查询客户身份失败（上门预约 {visit_id}）"
            return await apologise(dispatcher, tracker, "order", summary, None)
        if customer_id is None or not visit_id:
            dispatcher.utter_message(response="utter_need_customer")
            return []
        if not tracker.get_slot("confirmed"):
            dispatcher.utter_message(response=self.declined_response, visit_id=visit_id)
            return []
        try:
            return await self.change(dispatcher, tracker, customer_id, visit_id)
        except BackendUnavailable:
            summary = f"{self.name()}：客户 {customer_id} 办理上门预约 {visit_id} 时系统故障"
            return await apologise(dispatcher, tracker, "order", summary, customer_id)
        except BackendError as error:
            if error.code in (None, "not_found"):
                dispatcher.utter_message(response="utter_visit_not_found", visit_id=visit_id)
            else:
                dispatcher.utter_message(
                    response="utter_visit_change_refused", visit_id=visit_id, reason=error.message
                )
            return []


class ActionRescheduleVisit(VisitChange):
    """Moves the visit to the new slot."""

    declined_response = "utter_visit_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_reschedule_visit"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, visit_id: str
    ) -> list[dict[str, Any]]:
        """Reschedules; the engineer is arranged again for the new slot."""
        kept = slot_of(tracker.get_slot("visit_time"))
        if kept is None:
            dispatcher.utter_message(response="utter_visit_not_changed", visit_id=visit_id)
            return []
        visit = await backend().reschedule_visit(visit_id, customer_id, kept[0], kept[1])
        dispatcher.utter_message(
            response="utter_visit_changed",
            visit_id=visit.visit_id,
            slot=slot_label(visit.day, visit.period),
        )
        return []


class ActionCancelVisit(VisitChange):
    """Cancels the visit."""

    declined_response = "utter_visit_not_cancelled"

    def name(self) -> str:
        """See the base class."""
        return "action_cancel_visit"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, visit_id: str
    ) -> list[dict[str, Any]]:
        """Cancels."""
        visit = await backend().cancel_visit(visit_id, customer_id)
        dispatcher.utter_message(response="utter_visit_cancelled", visit_id=visit.visit_id)
        return []


class ActionVisitStatus(Action):
    """Where the customer's visits stand (of one order when the message names it)."""

    def name(self) -> str:
        """See the base class."""
        return "action_visit_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Open visits first, then the latest closed ones (at most 5 lines).

        Only the visit named by its number, or the visits for the product named ("我那个空调
        什么时候来装"), when it has any.
        The order of the one open visit shown is the order in focus: "那能不能改到周六"
        changes that visit. Of several open ones shown, none is.
        """
        text = str(request_message(tracker).get("text") or "")
        order_id = parse_order_id(text)
        try:
            customer_id = await customer_asking(tracker)
            if customer_id is None:
                return verify_first(dispatcher, tracker)
            visits = await backend().list_visits(customer_id, order_id)
        except BackendUnavailable:
            return await apologise(dispatcher, tracker, "order", "查询上门预约失败", None)
        except BackendError as error:
            logger.info("Visit status refused: %s", error)
            visits = []
        if not visits:
            response = "utter_no_visits_for_order" if order_id else "utter_no_visits"
            # "好的 那帮我约一下" after it books the visit (zhike.common.choices.go_ahead_button)
            book = [] if tracker.active_loop_name else [service_button("book_visit", order_id)]
            dispatcher.utter_message(response=response, order_id=order_id or "", buttons=book)
            remind_active_form(dispatcher, tracker)
            return []
        named = [v for v in visits if v.visit_id == parse_visit_id(text)]  # "SV20240003…"
        ordered = sorted(
            named or of_product_named(text, visits) or visits,
            key=lambda v: v.status not in OPEN_VISIT_STATUSES,
        )
        lines = "\n".join(visit_line(visit) for visit in ordered[:5])
        dispatcher.utter_message(response="utter_visit_status", lines=lines)
        remind_active_form(dispatcher, tracker)
        open_ones = [visit for visit in ordered[:5] if visit.status in OPEN_VISIT_STATUSES]
        if len(open_ones) > 1:
            return []
        return [SlotSet("focus_order", ordered[0].order_id)]
