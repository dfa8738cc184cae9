"""When the installer or repairer comes: the slot a customer names, checked against the order.

Shared by booking a visit (:mod:`actions.visits`) and moving one
(:mod:`actions.visit_changes`): a slot is taken from the question's buttons, from words
("明天下午"), or from what was said before the form asked (the time named before the visit
or the order is known is checked once it is), and checked against the booking window and
the order's free slots.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import typed_for_pick
from actions.forms import FAILURES_SLOT, MAX_FAILURES, ZhikeFormValidationAction
from actions.identity import known_customer_id
from actions.parsing import typed_text
from actions.services import backend
from actions.visit_parsing import (
    day_label,
    nearest,
    parse_visit_slot,
    shift_days,
    slot_label,
    slot_of,
    slot_value,
    weekend_said,
)
from zhike.common.times import china_now
from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.visits.domain import INSTALL, Slot, VisitOptions

BOOKING_DAYS = 14


async def order_options(tracker: Tracker, order_id: str | None) -> VisitOptions | None:
    """The visit options of the identified customer's order; ``None`` when unknown."""
    customer_id = await known_customer_id(tracker)
    if customer_id is None or order_id is None:
        return None
    try:
        return await backend().visit_options(order_id, customer_id)
    except BackendError:
        return None


def listed_until(free: tuple[Slot, ...]) -> date | None:
    """The last day of the free slots listed: the backend lists the nearest ones only."""
    return max((slot.day for slot in free), default=None)


def slot_problem(
    options: VisitOptions | None, day: date, period: str, today: date
) -> tuple[str, dict[str, Any]] | None:
    """Why a slot cannot be booked (a response and its values), ``None`` when it can."""
    last = today + timedelta(days=BOOKING_DAYS)
    earliest = options.earliest if options is not None else today + timedelta(days=1)
    if not earliest <= day <= last:
        return "utter_visit_time_out_of_window", {
            "first_day": day_label(earliest),
            "last_day": day_label(last),
        }
    if options is None:
        return None
    if any(slot.day == day and slot.period == period for slot in options.free_slots):
        return None
    listed = listed_until(options.free_slots)
    if listed is not None and day > listed:
        return None  # after the nearest free slots listed: the backend checks it on booking
    offer = "、".join(slot_label(s.day, s.period) for s in nearest(options.free_slots, day))
    return "utter_visit_slot_full", {
        "slot": slot_label(day, period),
        "nearest": offer or "暂无",
    }


async def extract_time(
    form: ZhikeFormValidationAction, tracker: Tracker, domain: DomainDict
) -> dict[str, Any]:
    """``visit_time`` from a typed slot, a slot button, the request, or said before the visit."""
    if tracker.get_slot("visit_time"):
        return {}
    requested = tracker.get_slot("requested_slot")
    text = form.latest_text(tracker) or typed_text(typed_for_pick(tracker))
    if requested in (None, "visit_id", "order_id"):  # "明天上午" asked which visit or order
        answer = parse_visit_slot(text, china_now())  # "改到周日" alone: asked in full later
        moved = shift_days(text) is not None  # "往后推一天": from the visit, once it is known
        return {"visit_time": text} if answer.problem is None or moved else {}
    if requested != "visit_time":
        return {}
    option = form.offered_option("visit_time", tracker, domain)
    return option or form.text_answer("visit_time", tracker, free_text=True)


def check_time(
    form: ZhikeFormValidationAction,
    value: Any,
    options: VisitOptions | None,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> dict[str, Any]:
    """``{"visit_time": "YYYY-MM-DD am"}`` for a free slot, else re-asked with the reason."""
    kept = slot_of(value)
    now = china_now()
    if kept is not None:
        day, period = kept
    else:
        answer = parse_visit_slot(value, now)
        if answer.problem == "no_date" and weekend_said([str(value or "")], now):
            return {"visit_time": None}  # "周末": its free slots are offered, no failed answer
        if answer.problem == "no_date" and answer.period is not None:
            return {"visit_time": None}  # "2点以后都行": that half-day's free slots are offered
        if answer.problem is not None or answer.day is None or answer.period is None:
            response = f"utter_visit_time_{answer.problem or 'no_date'}"
            return form.reject("visit_time", dispatcher, tracker, response)
        day, period = answer.day, answer.period
    problem = slot_problem(options, day, period, now.date())
    if problem is not None:
        response, values = problem
        failures = int(tracker.get_slot(FAILURES_SLOT) or 0) + 1
        if failures >= MAX_FAILURES:  # as ZhikeFormValidationAction.reject (its own "slot"
            return {"visit_time": None, FAILURES_SLOT: float(failures), "form_gave_up": True}
        dispatcher.utter_message(response=response, **values)  # argument clashes with ours)
        return {"visit_time": None, FAILURES_SLOT: float(failures)}
    return {"visit_time": slot_value(day, period)}


async def not_installed_yet(tracker: Tracker, orders: list[Order]) -> list[Order]:
    """``orders`` without those whose installation is booked or done already, when some are.

    "空调到货了 什么时候能来装啊": three air conditioners bought, one installed and one
    with a visit booked; the one still to install is the question, listed alone.
    """
    customer_id = await known_customer_id(tracker)
    if customer_id is None:
        return orders
    try:
        visits = await backend().list_visits(customer_id)
    except BackendError:
        return orders
    installed = {
        visit.order_id for visit in visits if visit.kind == INSTALL and visit.status != "cancelled"
    }
    left = [order for order in orders if order.order_id not in installed]
    return left or orders
