"""The abstract base of zhike's form validation actions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction


class ZhikeFormValidationAction(FormValidationAction, ABC):
    """Base of every ``validate_<form>`` action.

    Contract for subclasses:

    * ``name()`` returns ``"validate_<form name>"``.
    * For each required slot, define ``validate_<slot>(value, dispatcher, tracker, domain)``
      that parses ``value`` with a pure function (see :mod:`actions.parsing`) and returns
      ``{slot: parsed}`` when valid, or ``self.reject(slot, dispatcher)`` when not.
    * ``reject`` tells the user what was wrong with the response ``utter_invalid_<slot>``
      (defined in the domain, so designers own the wording) and clears the slot, which
      makes the form ask for it again.
    """

    @abstractmethod
    def name(self) -> str:
        """The action name, ``validate_<form name>``."""

    def reject(self, slot: str, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """Tells the user ``slot``'s value was invalid and clears it so the form re-asks."""
        dispatcher.utter_message(response=f"utter_invalid_{slot}")
        return {slot: None}

    @staticmethod
    def latest_text(tracker: Tracker) -> str:
        """The text of the user's latest message (empty when there is none)."""
        return str((tracker.latest_message or {}).get("text") or "")
