"""The abstract base of actions that run when a form is complete."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import TICKET_PROOF, proven, with_proof
from actions.forms import MAX_FAILURES, VERIFY_BY_PHONE_SLOT
from actions.identity import input_channel
from actions.services import backend
from zhike.common.handoff_names import HANDOFF_ACTION, HANDOFF_REASON_SLOT, REASON_ACTION_FAILED
from zhike.common.privacy import mask_text
from zhike.lib.backend_client import BackendError, Ticket

logger = logging.getLogger(__name__)

# Slots every form may have filled; cleared after each form so the next one starts fresh.
SHARED_FORM_SLOTS = (
    "confirmed",
    "form_failures",
    "form_gave_up",
    VERIFY_BY_PHONE_SLOT,
    "bind_phone",
    "bind_code",
    "phone_last4",
    "requested_slot",
)


class FormSubmitAction(Action, ABC):
    """Runs after a form: does the work with the collected slots, then clears them.

    Contract for subclasses:

    * ``name()`` is the action the form's rule calls once the form is complete.
    * ``form_slots`` lists the form's own slots (cleared afterwards, like the shared
      ones, so the next request asks afresh).
    * ``submit()`` does the work. It is not called when the form gave up
      (``form_gave_up``): after three invalid answers the user is offered a human agent
      instead; when a validation gave up for another reason (a locked order, a backend
      fault) it has already told the user why.
    """

    form_slots: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def name(self) -> str:
        """The action name."""

    @abstractmethod
    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Does the work of the completed form; returns extra events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Submits (or offers a human after the form gave up) and clears the form slots."""
        if tracker.get_slot("form_gave_up"):
            if int(tracker.get_slot("form_failures") or 0) >= MAX_FAILURES:
                dispatcher.utter_message(response="utter_form_gave_up")
            events: list[dict[str, Any]] = []
        else:
            events = await self.submit(dispatcher, tracker, domain)
        return [*events, *(SlotSet(slot, None) for slot in (*self.form_slots, *SHARED_FORM_SLOTS))]


async def open_ticket(
    tracker: Tracker, category: str, summary: str, customer_id: str | None
) -> Ticket | None:
    """Opens a ticket for a human agent; ``None`` when the backend cannot take it.

    The summary is masked (phones, ID numbers) and the ticket is idempotent per message
    and category, so a retried action does not open two.
    """
    message_id = str((tracker.latest_message or {}).get("message_id") or "")
    try:
        return await backend().create_ticket(
            category=category,
            summary=mask_text(summary),
            customer_id=customer_id,
            channel=input_channel(tracker),
            idempotency_key=f"{tracker.sender_id}:{message_id}:{category}" if message_id else None,
        )
    except BackendError as error:
        logger.warning("Could not open a %s ticket: %s", category, error)
        return None


async def apologise(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    category: str,
    summary: str,
    customer_id: str | None,
) -> list[dict[str, Any]]:
    """Tells the user the business system failed; opens a ticket and hands over.

    Returns the events that remember the ticket in the conversation (see
    :func:`remember_ticket`) and run ``action_request_handoff`` next: an action that
    cannot complete is a handoff trigger (``handoff_reason: action_failed``). The
    handoff reuses the ticket when no agent is available.
    """
    ticket = await open_ticket(tracker, category, summary, customer_id)
    handoff = [
        SlotSet(HANDOFF_REASON_SLOT, REASON_ACTION_FAILED),
        FollowupAction(HANDOFF_ACTION),
    ]
    if ticket is None:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return handoff
    dispatcher.utter_message(
        response="utter_backend_unavailable_ticket", ticket_id=ticket.ticket_id
    )
    return [
        *remember_ticket(tracker, ticket),
        SlotSet("handoff_ticket", ticket.ticket_id),
        *handoff,
    ]


def remember_ticket(tracker: Tracker, ticket: Ticket) -> list[dict[str, Any]]:
    """Adds a proof of the ticket to ``my_tickets``: an anonymous user may ask about it later.

    The slot keeps the newest 20 valid proofs (see :mod:`actions.common`); forged or
    expired entries are dropped.
    """
    proofs = tracker.get_slot("my_tickets")
    if ticket.ticket_id in proven(TICKET_PROOF, proofs, tracker.sender_id):
        return []
    return [
        SlotSet("my_tickets", with_proof(TICKET_PROOF, proofs, ticket.ticket_id, tracker.sender_id))
    ]
