"""Helpers of the tests of a new request in the middle of a form (actions/topic_switch.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def in_form(tracker: Tracker, form: str) -> Tracker:
    """``tracker`` with ``form`` running."""
    tracker.active_loop = {"name": form}
    return tracker


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The responses the action uttered, in order."""
    return [message.get("response") or "" for message in dispatcher.messages]


def events_of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The events of ``kind`` ("slot", "followup" …) among ``events``."""
    return [event for event in events if event.get("event") == kind]
