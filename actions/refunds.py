"""Refunds and returns: request one with a reason, follow its progress."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.order_changes import CustomerOrderChange, OrderRuleChecks
from actions.order_questions import refund_blocker, say_refund_blocker
from actions.orders import ValidateOrderIdForm, slot_order
from actions.parsing import parse_reason, reason_in, typed_text
from actions.refund_progress import refund_status
from actions.services import backend
from actions.submit import FormSubmitAction, open_ticket, remember_ticket
from zhike.common.formats import yuan
from zhike.lib.backend_client import BackendError, Order

logger = logging.getLogger(__name__)

# What ends the refund form before the reason is asked (actions.order_questions).
STOPS_THE_FORM = (
    "utter_refund_already_open",
    "utter_refund_already_done",
    "utter_refund_order_unpaid",
)


class ValidateRefundForm(OrderRuleChecks):
    """Order number, a reason (buttons or free text) and a confirmation.

    A complaint ("质量太差了") is a fine refund reason, not an interruption.
    """

    needs_customer = True
    confirm_words = ("退", "退款", "退货", "退钱")

    def name(self) -> str:
        """See the base class."""
        return "validate_refund_form"

    def interrupted(self, tracker: Tracker, free_text: bool = False) -> bool:
        """Complaints answer "why"; other interruptions still count."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == "refund_reason" and intent == "complain":
            return False
        return super().interrupted(tracker, free_text)

    def noted_detail(self, text: str, tracker: Tracker) -> str | None:
        """A reason given while the phone or code is asked ("买错了") is noted."""
        reason = reason_in(text)
        return None if reason is None else f"退款原因「{reason}」"

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """Another reason said to the confirmation ("质量问题", "不是买错 是尺码偏小")."""
        reason = reason_in(text, last=True)
        current = str(tracker.get_slot("refund_reason") or "")
        if reason is None or reason in current or (current and current in reason):
            return {}
        return {"refund_reason": reason}

    def allows(self, order: Order) -> bool:
        """Whether the reason may be asked: not for a refund the system would refuse.

        "已有处理中的退款申请", a refunded or an unpaid order: the customer hears why at
        once (:meth:`explain`), not after giving a reason and confirming. A cancelled
        order, or one delivered more than 7 days ago, goes on: the reason is handed to a
        person (out of policy; the money may not have come back). Another customer's
        order is asked again, as in every form that changes an order.
        """
        blocked = refund_blocker(order)
        return blocked is None or blocked[0] not in STOPS_THE_FORM

    def explain(self, dispatcher: CollectingDispatcher, order: Order) -> None:
        """Why the order cannot be refunded, and what to do instead."""
        say_refund_blocker(dispatcher, order)

    async def extract_refund_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed option, or free text, when the reason was asked.

        Clicked buttons fill the slot through their entity. A reason the customer gave
        before it was asked -- in the opening message ("买错了，要退款") or while the
        phone was asked ("买错了") -- is taken then (:func:`~actions.parsing.reason_in`),
        and the question is not asked.
        """
        if tracker.get_slot("refund_reason"):
            return {}
        if tracker.get_slot("requested_slot") != "refund_reason":
            said = said_in_form(tracker, self.form_name()) or [self.latest_text(tracker)]
            for text in reversed(said):
                reason = reason_in(typed_text(text))
                if reason:  # "买错了" said before the reason was asked
                    return {"refund_reason": reason}
            return {}
        return self.offered_option("refund_reason", tracker, domain) or self.text_answer(
            "refund_reason", tracker, free_text=True
        )

    async def validate_refund_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """2-200 characters."""
        return self.accept("refund_reason", parse_reason(value), dispatcher, tracker)


class ActionRequestRefund(CustomerOrderChange):
    """Opens a refund; a refused one is explained and, when out of policy, ticketed."""

    form_slots = ("order_id", "refund_reason")
    ticket_category = "refund"
    declined_response = "utter_refund_not_requested"

    def name(self) -> str:
        """See the base class."""
        return "action_request_refund"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Requests the refund with the form's reason."""
        reason = str(tracker.get_slot("refund_reason") or "")
        refund = await backend().request_refund(order_id, customer_id, reason)
        dispatcher.utter_message(
            response="utter_refund_requested",
            refund_id=refund.refund_id,
            amount=yuan(refund.amount_fen),
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
        """Says why; a request outside the refund rules goes to a human as a ticket."""
        if error.code in (None, "not_found", "invalid_order_id"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        dispatcher.utter_message(
            response="utter_refund_refused", order_id=order_id, reason=error.message
        )
        if error.code != "refund_not_allowed":
            return []
        reason = tracker.get_slot("refund_reason") or ""
        summary = f"订单 {order_id} 超出自助退款规则（{error.message}），客户原因：{reason}"
        ticket = await open_ticket(tracker, "refund", summary, customer_id)
        if ticket is None:
            return []
        dispatcher.utter_message(response="utter_ticket_opened", ticket_id=ticket.ticket_id)
        return remember_ticket(tracker, ticket)


class ValidateRefundStatusForm(ValidateOrderIdForm):
    """Like the order lookup: anonymous users prove the phone's last 4 digits."""

    def name(self) -> str:
        """See the base class."""
        return "validate_refund_status_form"


class ActionRefundStatus(FormSubmitAction):
    """Tells the progress of the order's latest refund."""

    form_slots = ("order_id",)

    def name(self) -> str:
        """See the base class."""
        return "action_refund_status"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The latest refund of a visible order."""
        events: list[dict[str, Any]] = []
        order = await slot_order(tracker, dispatcher, events)
        if order is None:
            return events
        if not order.refunds:
            dispatcher.utter_message(response="utter_no_refund", order_id=order.order_id)
            return []
        refund = order.refunds[-1]
        label, note = refund_status(refund)
        dispatcher.utter_message(
            response="utter_refund_status",
            order_id=order.order_id,
            refund_id=refund.refund_id,
            amount=yuan(refund.amount_fen),
            status_label=label,
            note=note,
        )
        return []
