"""Disputed returns (退货被驳回, 商家拒收, 质检不通过): the customer's evidence becomes a ticket.

The form asks which order and what happened; images come along where the channel passes
them (message metadata) or as links in the text, otherwise the customer describes the
problem in words. The backend opens a ``return_dispute`` ticket with the evidence
(:mod:`zhike.servers.backend.services.return_disputes`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.exchange_parsing import description_without_refs, image_refs
from actions.forms import ZhikeFormValidationAction
from actions.identity import input_channel
from actions.order_changes import CustomerOrderChange, order_to_check
from actions.services import backend
from actions.submit import remember_ticket
from zhike.lib.backend_client import BackendError, Order

DESCRIPTION_MIN = 2
IMAGE_ONLY = "（客户仅发送了图片，请查看图片证据）"


def latest_images(tracker: Tracker) -> list[str]:
    """Image refs of the latest message: channel metadata, links or media ids in the text."""
    message = tracker.latest_message or {}
    return image_refs(message.get("text"), message.get("metadata"))


class ValidateReturnDisputeForm(ZhikeFormValidationAction):
    """Order number, the customer's account (with images when sent) and a confirmation."""

    needs_customer = True
    confirm_words = ("提交", "申诉")

    def name(self) -> str:
        """See the base class."""
        return "validate_return_dispute_form"

    def interrupted(self, tracker: Tracker, free_text: bool = False) -> bool:
        """A complaint is the account of what happened, not an interruption."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == "dispute_description" and intent in (
            "complain",
            "dispute_return",
            "request_refund",
        ):
            return False
        return super().interrupted(tracker, free_text)

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's order is not found; one without a return has nothing to dispute."""
        order = await order_to_check(self, order_id, dispatcher, tracker)
        if not isinstance(order, Order):
            return order
        if order.refunds:
            return None
        try:
            exchanges = await backend().list_exchanges(order_id)
        except BackendError:
            return None
        if exchanges:
            return None
        dispatcher.utter_message(response="utter_no_return_to_dispute", order_id=order_id)
        return {"order_id": order_id, "focus_order": order_id, "form_gave_up": True}

    async def extract_dispute_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The customer's account when asked; images of the message are kept with it."""
        if tracker.get_slot("requested_slot") != "dispute_description":
            return {}
        if self.interrupted(tracker, free_text=True):
            return {}
        text = self.latest_text(tracker)
        images = latest_images(tracker)
        if not text and not images:
            return {}
        return {"dispute_description": text or IMAGE_ONLY}

    async def validate_dispute_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Words (at least 2 characters), or images; images are added to ``dispute_images``."""
        images = list(tracker.get_slot("dispute_images") or [])
        images += [ref for ref in latest_images(tracker) if ref not in images]
        words = description_without_refs(value)
        if words == IMAGE_ONLY or (len(words) < DESCRIPTION_MIN and images):
            words = IMAGE_ONLY
        if len(words) < DESCRIPTION_MIN or self.urged(tracker):  # "能不能快点" tells nothing
            return self.reject("dispute_description", dispatcher, tracker)
        return {"dispute_description": words[:1000], "dispute_images": images[:9] or None}


class ActionOpenReturnDispute(CustomerOrderChange):
    """Opens the dispute ticket; tells its number and when the team replies."""

    form_slots = ("order_id", "dispute_description", "dispute_images")
    ticket_category = "refund"
    declined_response = "utter_dispute_not_opened"

    def name(self) -> str:
        """See the base class."""
        return "action_open_return_dispute"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Sends the evidence; the ticket is remembered for "查工单"."""
        images = [str(ref) for ref in tracker.get_slot("dispute_images") or []]
        message_id = str((tracker.latest_message or {}).get("message_id") or "")
        dispute = await backend().open_return_dispute(
            order_id,
            customer_id,
            str(tracker.get_slot("dispute_description") or ""),
            images,
            channel=input_channel(tracker),
            idempotency_key=f"{tracker.sender_id}:{message_id}:dispute" if message_id else None,
        )
        pictures = sum(1 for kind, _ in dispute.evidence if kind == "image")
        dispatcher.utter_message(
            response="utter_dispute_opened",
            order_id=order_id,
            ticket_id=dispute.ticket.ticket_id,
            hours=dispute.reply_within_hours,
            evidence=f"您的说明和 {pictures} 张图片" if pictures else "您的文字说明",
        )
        return remember_ticket(tracker, dispute.ticket)

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Nothing to dispute, or evidence the backend does not take."""
        if error.code == "no_return":
            dispatcher.utter_message(response="utter_no_return_to_dispute", order_id=order_id)
            return []
        if error.code in ("invalid_description", "invalid_images"):
            dispatcher.utter_message(response="utter_invalid_dispute_description")
            return []
        return await super().refused(dispatcher, tracker, error, customer_id, order_id)
