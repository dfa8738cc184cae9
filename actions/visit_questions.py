"""The questions of the visit forms that need the backend: free slots, contact, summary.

Each is a custom ``action_ask_*`` (Rasa calls it instead of a fixed response): the nearest
free slots become buttons, the order's address and phone are shown masked.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.parsing import parse_order_id
from actions.visit_parsing import (
    KIND_NAMES,
    PERIOD_HOURS,
    PERIOD_NAMES,
    contact_text,
    day_label,
    day_said,
    period_said,
    short_name,
    slot_button,
    slot_label,
    slot_of,
    weekend_said,
)
from actions.visit_times import BOOKING_DAYS, china_now, listed_until, order_options
from actions.visits import PAID, visit_item
from zhike.common.privacy import mask_address, mask_phone
from zhike.lib.backend_client.visits.domain import AM, INSTALL, PM, REPAIR, Slot, VisitOptions


class ActionAskVisitTime(Action):
    """Asks for the slot, with the nearest free ones as buttons."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_visit_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Free slots of the order (the visit's order when changing one), at a weekend named."""
        order_id = parse_order_id(tracker.get_slot("order_id"))
        if tracker.active_loop_name == "visit_change_form":
            order_id = parse_order_id(tracker.get_slot("visit_order_id"))
        options = await order_options(tracker, order_id)
        today = china_now().date()
        first = options.earliest if options is not None else today + timedelta(days=1)
        last = today + timedelta(days=BOOKING_DAYS)
        free = options.free_slots if options else ()
        said = said_in_form(tracker, str(tracker.active_loop_name))
        weekend = weekend_said(said, china_now())
        on_weekend = [slot for slot in free if weekend and slot.day in weekend]
        if on_weekend:  # "周末能上门安装吗": the weekend's free slots, not the nearest ones
            dispatcher.utter_message(
                response="utter_ask_visit_time_weekend",
                buttons=[slot_button(slot) for slot in on_weekend[:4]],
            )
            return []
        day = day_said(said, china_now())
        on_day = _half_days(day, free, first, last)
        if on_day:  # "那就约周六吧": that day's morning or afternoon, not a new question
            dispatcher.utter_message(
                response="utter_ask_visit_time_day",
                day=day_label(on_day[0].day),
                buttons=[slot_button(slot) for slot in on_day],
            )
            return []
        if day is not None and options is not None and first <= day <= last:
            dispatcher.utter_message(response="utter_visit_day_full", day=day_label(day))
        period = period_said(said, china_now()) if day is None else None
        in_period = [slot for slot in free if slot.period == period]
        if in_period:  # "能改到下午吗", "2点以后都行": the nearest free afternoons
            dispatcher.utter_message(
                response="utter_ask_visit_time_period",
                period=f"{PERIOD_NAMES[str(period)]}（{PERIOD_HOURS[str(period)]}）",
                buttons=[slot_button(slot) for slot in in_period[:4]],
            )
            return []
        buttons = [slot_button(slot) for slot in free[:4]]
        dispatcher.utter_message(
            response="utter_ask_visit_time",
            first_day=day_label(first),
            last_day=day_label(last),
            buttons=buttons,
        )
        return []


def _half_days(day: date | None, free: tuple[Slot, ...], first: date, last: date) -> list[Slot]:
    """The free half-days of ``day``: none when it is full, out of the window or not said.

    The backend lists the nearest free slots only: a day after the last one listed is
    offered both halves, checked when one is picked.
    """
    if day is None or not first <= day <= last:
        return []
    on_day = [slot for slot in free if slot.day == day]
    listed = listed_until(free)
    if on_day or (listed is not None and day <= listed):
        return on_day
    return [Slot(day, period, "") for period in (AM, PM)]


class ActionAskVisitContact(Action):
    """Asks whether the engineer visits the order's address and phone (masked)."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_visit_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The order's address and phone, masked, with a yes button."""
        options = await order_options(tracker, parse_order_id(tracker.get_slot("order_id")))
        contact = contact_text(options.address, options.phone) if options else "订单上的收货信息"
        dispatcher.utter_message(response="utter_ask_visit_contact", contact=contact)
        return []


def visit_summary(tracker: Tracker, options: VisitOptions | None) -> str:
    """What the confirmation repeats: order, product, kind, slot, contact (masked)."""
    kind = str(tracker.get_slot("visit_kind") or INSTALL)
    item = visit_item(options, kind) if options is not None else None
    product = short_name(item.name) if item is not None else "商品"
    kept = slot_of(tracker.get_slot("visit_time"))
    when = slot_label(*kept) if kept else ""
    address = tracker.get_slot("visit_address") or (options.address if options else "")
    phone = tracker.get_slot("visit_phone") or (options.phone if options else "")
    lines = [
        f"订单 {tracker.get_slot('order_id')}｜{product}{KIND_NAMES.get(kind, '')}",
        f"时间：{when}",
        f"地址：{mask_address(address)}；电话：{mask_phone(phone)}",
    ]
    if kind == REPAIR:
        lines.insert(1, f"故障：{tracker.get_slot('visit_problem') or ''}")
    if tracker.get_slot("visit_paid") == PAID:
        lines.append("付费维修：上门检测费 50 元，维修和配件费用由师傅检测后报价，您同意后再维修")
    return "\n".join(lines)


class ActionAskVisitFormConfirmed(Action):
    """Repeats the booking (masked) and asks for a yes."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_visit_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The summary with 确认预约 / 不用了 buttons."""
        options = await order_options(tracker, parse_order_id(tracker.get_slot("order_id")))
        summary = visit_summary(tracker, options)
        dispatcher.utter_message(response="utter_ask_visit_form_confirmed", summary=summary)
        return [SlotSet("visit_summary", summary)]
