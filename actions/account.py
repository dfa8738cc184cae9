"""Binding a channel user to a customer account, and leaving a form."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_binding import NO_PHONE, PHONE_SLOTS, aside
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.session import vip_slot
from actions.submit import SHARED_FORM_SLOTS, FormSubmitAction
from actions.verify_first import after_binding
from zhike.lib.backend_client import BackendUnavailable

# Every slot a form may have filled (shared and form-specific), cleared when leaving.
FORM_SLOTS = (
    *SHARED_FORM_SLOTS,
    "order_id",
    "new_address",
    "refund_reason",
    "invoice_title",
    "invoice_tax_number",
    "lesson_id",
    "lesson_change_time",
    "course_id",
    "ticket_id",
)


class ValidateAccountBindingForm(ZhikeFormValidationAction):
    """Phone number, then the one-time code sent to it (see the base class).

    Skips both questions when the sender is already known.
    """

    def name(self) -> str:
        """See the base class."""
        return "validate_account_binding_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Nothing to ask of a known customer."""
        try:
            known = (await identify(tracker)).customer_id is not None
        except BackendUnavailable:
            known = False
        return [] if known and not tracker.get_slot("bind_phone") else domain_slots


class ActionBindingDone(FormSubmitAction):
    """Ends the binding form (the validation already said "验证成功")."""

    def name(self) -> str:
        """See the base class."""
        return "action_binding_done"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Tells an already known customer that nothing was needed.

        A check that a question about the customer's records asked for
        (:mod:`actions.verify_first`) goes back to that question.
        """
        if tracker.get_slot("bind_code") != "verified":
            dispatcher.utter_message(response="utter_already_bound")
            return []
        # the policy now knows whether to prefer a human
        return [*await vip_slot(tracker), *after_binding(tracker)]


class ActionStopForm(Action):
    """Leaves the active form at the user's request ("算了", "不办了") and forgets it.

    Asking for a person (``human_handoff``) leaves the form silently: the handoff's own
    message follows at once, and a "已为您取消本次办理" line before "已为您转接人工客服"
    would only confuse the customer.
    "不记得了" to a phone question is offered a human who can check who they are.
    """

    def name(self) -> str:
        """See the base class."""
        return "action_stop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Deactivates the loop and clears every form slot (says so unless handing over)."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        slot = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text")
        if slot in PHONE_SLOTS and aside(text, slot) == NO_PHONE:
            # "不记得了" to the phone question: not just "cancelled", a human can check
            dispatcher.utter_message(response="utter_bind_phone_unknown")
        elif intent != "human_handoff":
            dispatcher.utter_message(response="utter_form_stopped")
        return [ActiveLoop(None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]


def form_left(tracker: Tracker) -> list[dict[str, Any]]:
    """Leaves the active form, its slots cleared (it must not resume later); none: ``[]``.

    A goodbye, a rating or a thanks instead of the form's answer: the customer is done.
    """
    if not tracker.active_loop_name:
        return []
    return [ActiveLoop(None), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
