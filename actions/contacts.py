"""Contacts: the courier of my parcel on its way (masked), and how to reach the shop."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ZhikeFormValidationAction
from actions.order_changes import CustomerOrderChange
from actions.services import backend
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client.price_protection import CourierContact, MerchantContact

# "他一直不接电话怎么办": the number alone answers nothing new
CANNOT_REACH = re.compile(r"打不通|不接|没人接|无人接听|联系不上|找不到他|关机|空号|不回")


def cannot_reach(tracker: Tracker) -> bool:
    """Whether the customer asking for the courier said they could not reach them."""
    for event in reversed(tracker.events):
        if event.get("event") in ("restart", "session_started"):
            break
        if event.get("event") != "user":
            continue
        if CANNOT_REACH.search(str(event.get("text") or "")):
            return True
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == "query_courier_contact":
            return False  # the message that asked, and it did not say so
    return False


class ValidateCourierContactForm(ZhikeFormValidationAction):
    """Which order; the courier's contact is for the verified owner only."""

    needs_customer = True

    def name(self) -> str:
        """See the base class."""
        return "validate_courier_contact_form"


class ValidateMerchantContactForm(ZhikeFormValidationAction):
    """Which order (its shops are the customer's business only)."""

    needs_customer = True

    def name(self) -> str:
        """See the base class."""
        return "validate_merchant_contact_form"


def courier_text(contact: CourierContact) -> str:
    """``快递员王师傅（顺丰上海张江营业点），电话 138****5678；隐私号 17012345678 转 4321``."""
    text = f"快递员{contact.name}"
    if contact.station:
        text += f"（{contact.station}）"
    text += f"，电话 {contact.phone_masked}"
    if contact.virtual_number:
        extension = f" 转 {contact.extension}" if contact.extension else ""
        text += f"。为保护双方隐私，请拨打隐私号 {contact.virtual_number}{extension} 联系快递员"
    return text


class CustomerOrderQuestion(CustomerOrderChange):
    """A question about the identified customer's order: like a change, without confirming.

    The identity rules, the backend-down apology with a ticket and the "not found" for
    another customer's order are those of :class:`CustomerOrderChange`.
    """

    form_slots = ("order_id",)
    declined_response = "utter_form_stopped"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answers as if confirmed (a question changes nothing)."""
        confirmed = tracker.slots.get("confirmed")
        tracker.slots["confirmed"] = True
        try:
            return await super().submit(dispatcher, tracker, domain)
        finally:
            tracker.slots["confirmed"] = confirmed


class ActionCourierContact(CustomerOrderQuestion):
    """The courier's masked contact while the parcel is on its way, else why not."""

    ticket_category = "logistics"

    def name(self) -> str:
        """See the base class."""
        return "action_courier_contact"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Looks the courier up (the backend checks the owner and the parcel's state)."""
        contact = await backend().get_courier_contact(order_id, customer_id)
        if contact.available:
            dispatcher.utter_message(
                response="utter_courier_contact",
                order_id=order_id,
                company=contact.company or "快递公司",
                tracking_number=contact.tracking_number or "",
                courier=courier_text(contact),
            )
            if cannot_reach(tracker):
                dispatcher.utter_message(response="utter_courier_unreachable")
        else:
            dispatcher.utter_message(
                response="utter_courier_contact_unavailable",
                order_id=order_id,
                reason=contact.message,
            )
        return [SlotSet(FOCUS_ORDER_SLOT, order_id)]


def merchant_text(contact: MerchantContact) -> str:
    """One shop: its items, channel, hours and phone."""
    items = "、".join(contact.items)
    if contact.self_operated:
        return (
            f"· {items}：{contact.seller}商品，直接在这里咨询{contact.channel}即可"
            f"（{contact.hours}）"
        )
    phone = f"，电话 {contact.phone}" if contact.phone else ""
    return (
        f"· {items}：由「{contact.seller}」发货，请联系{contact.channel}，"
        f"服务时间{contact.hours}{phone}"
    )


class ActionMerchantContact(CustomerOrderQuestion):
    """How to reach the shop(s) of an order."""

    ticket_category = "order"

    def name(self) -> str:
        """See the base class."""
        return "action_merchant_contact"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Lists the order's shops with their service channel."""
        shops = await backend().order_merchants(order_id, customer_id)
        dispatcher.utter_message(
            response="utter_merchant_contact",
            order_id=order_id,
            lines="\n".join(merchant_text(shop) for shop in shops),
        )
        return [SlotSet(FOCUS_ORDER_SLOT, order_id)]
