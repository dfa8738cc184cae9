"""Helpers for tests: the proofs of ownership that slots hold (see actions.common)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common import ORDER_PROOF, TICKET_PROOF, issue_proof, proven


def order_proofs(sender_id: str, *order_ids: str) -> list[str]:
    """A genuine ``verified_orders`` slot value of ``sender_id``."""
    return [issue_proof(ORDER_PROOF, order_id, sender_id) for order_id in order_ids]


def ticket_proofs(sender_id: str, *ticket_ids: str) -> list[str]:
    """A genuine ``my_tickets`` slot value of ``sender_id``."""
    return [issue_proof(TICKET_PROOF, ticket_id, sender_id) for ticket_id in ticket_ids]


def proved_tickets(tracker: Tracker, events: list[dict[str, Any]]) -> list[str] | None:
    """The tickets the ``my_tickets`` SlotSet in ``events`` proves (None without one)."""
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "my_tickets":
            return proven(TICKET_PROOF, event["value"], tracker.sender_id)
    return None
