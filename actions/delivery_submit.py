"""Delivery-change confirmations and submits.

The confirmations sum the change up; the submits make it once confirmed
(:class:`~actions.order_changes.CustomerOrderChange`: identity, "no" to the confirmation,
backend down -> apology and ticket, refusals).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.delivery_parsing import window_label
from actions.order_changes import CustomerOrderChange
from actions.services import backend
from zhike.common.formats import yuan
from zhike.common.privacy import mask_phone
from zhike.lib.backend_client import BackendError

# "退回给商家", "寄回去": the customer wants the parcel returned rather than intercepted.
_RETURN_WORDS = re.compile(r"退回|退给|退还|寄回|送回|退货给商家")
# Refusal codes explained with the backend's own reason (all but "not found").
_NOT_FOUND_CODES = (None, "not_found", "invalid_order_id")


def request_text(tracker: Tracker, intent: str) -> str:
    """What the customer typed when they last asked for ``intent`` (else "")."""
    for event in reversed(list(tracker.events or [])):
        if event.get("event") != "user":
            continue
        parsed = (event.get("parse_data") or {}).get("intent") or {}
        if parsed.get("name") == intent:
            return str(event.get("text") or "")
    return ""


def interception_kind(tracker: Tracker) -> str:
    """``return`` when the customer asked to send the parcel back, else ``intercept``."""
    return (
        "return" if _RETURN_WORDS.search(request_text(tracker, "intercept_parcel")) else "intercept"
    )


class AskConfirmation(Action, ABC):
    """Sums the change up in the confirmation question (phones masked)."""

    form: ClassVar[str]

    def name(self) -> str:
        """``action_ask_<form>_confirmed``."""
        return f"action_ask_{self.form}_confirmed"

    @abstractmethod
    def summary(self, tracker: Tracker) -> dict[str, Any]:
        """The values the question shows."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Asks ``utter_ask_<form>_confirmed`` with :meth:`summary`."""
        dispatcher.utter_message(
            response=f"utter_ask_{self.form}_confirmed",
            order_id=tracker.get_slot("order_id"),
            **self.summary(tracker),
        )
        return []


class ActionAskDeliveryTimeConfirmed(AskConfirmation):
    """The delivery window question (确认将订单 … 预约在 12月7日（周六）下午 配送吗？)."""

    form = "delivery_time_form"

    def summary(self, tracker: Tracker) -> dict[str, Any]:
        """The chosen window."""
        return {
            "window_label": window_label(
                tracker.get_slot("window_date"), tracker.get_slot("window_slot")
            )
        }


class ActionAskPickupConfirmed(AskConfirmation):
    """The pickup question (订单 … 的上门取件原定 …，确认改到 … 吗？)."""

    form = "pickup_form"

    def summary(self, tracker: Tracker) -> dict[str, Any]:
        """The current and the new window."""
        return {
            "pickup_current": tracker.get_slot("pickup_current") or "原定时间",
            "window_label": window_label(
                tracker.get_slot("window_date"), tracker.get_slot("window_slot")
            ),
        }


class ActionAskReceiverPhoneConfirmed(AskConfirmation):
    """The phone question (确认将订单 … 的收货电话改为 139****5678 吗？)."""

    form = "receiver_phone_form"

    def summary(self, tracker: Tracker) -> dict[str, Any]:
        """The new number, masked."""
        return {"masked_phone": mask_phone(str(tracker.get_slot("receiver_phone") or ""))}


class DeliveryChangeAction(CustomerOrderChange):
    """A confirmed delivery change; refusals are explained with the backend's reason."""

    ticket_category = "logistics"

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Not found as usual; any other refusal with its reason."""
        if error.code in _NOT_FOUND_CODES:
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        dispatcher.utter_message(response="utter_delivery_change_refused", reason=error.message)
        return []


class ActionInterceptParcel(DeliveryChangeAction):
    """Asks the courier to intercept the parcel (or return it to the sender)."""

    declined_response = "utter_interception_not_requested"

    def name(self) -> str:
        """See the base class."""
        return "action_intercept_parcel"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Requests it; the fee (if any) and the next steps are said."""
        kind = interception_kind(tracker)
        change = await backend().request_interception(order_id, customer_id, kind)
        fee = f"{change.note}。" if change.note else ""
        if change.fee_fen and yuan(change.fee_fen) not in fee:
            fee += f"快递公司收取拦截服务费 {yuan(change.fee_fen)} 元。"
        dispatcher.utter_message(
            response="utter_interception_requested",
            order_id=order_id,
            change_id=change.change_id,
            kind_label="退回" if kind == "return" else "拦截",
            fee_note=fee,
        )
        return []


class ActionScheduleDelivery(DeliveryChangeAction):
    """Books the delivery window (预约配送)."""

    form_slots = ("order_id", "window_date", "window_slot")
    declined_response = "utter_delivery_time_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_schedule_delivery"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Books it and reads the window back."""
        day = date.fromisoformat(str(tracker.get_slot("window_date")))
        slot = str(tracker.get_slot("window_slot") or "")
        change = await backend().schedule_delivery(order_id, customer_id, day, slot)
        dispatcher.utter_message(
            response="utter_delivery_time_scheduled",
            order_id=order_id,
            window_label=window_label(change.window_date, change.window_slot),
        )
        return []


class ActionRescheduleReturnPickup(DeliveryChangeAction):
    """Moves the return pickup (上门取件) of a refund to another day."""

    form_slots = ("order_id", "window_date", "window_slot", "pickup_current")
    declined_response = "utter_pickup_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_reschedule_pickup"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Moves it and reads the new window back."""
        day = date.fromisoformat(str(tracker.get_slot("window_date")))
        slot = str(tracker.get_slot("window_slot") or "")
        pickup = await backend().reschedule_pickup(order_id, customer_id, day, slot)
        dispatcher.utter_message(
            response="utter_pickup_rescheduled",
            order_id=order_id,
            courier=pickup.courier,
            window_label=window_label(pickup.pickup_date, pickup.pickup_slot),
        )
        return []


class ActionChangeReceiverPhone(DeliveryChangeAction):
    """Changes the receiver's phone before delivery; the number is said back masked."""

    form_slots = ("order_id", "receiver_phone")
    declined_response = "utter_receiver_phone_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_change_receiver_phone"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Changes it; a parcel out for delivery gets the courier note."""
        phone = str(tracker.get_slot("receiver_phone") or "")
        change = await backend().change_receiver_phone(order_id, customer_id, phone)
        dispatcher.utter_message(
            response="utter_receiver_phone_changed",
            order_id=order_id,
            masked_phone=mask_phone(change.phone or phone),
            note=f"{change.note}。" if change.note else "",
        )
        return []
