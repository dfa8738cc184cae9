"""An action package for tests: an action that fails unexpectedly, one that rejects."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict


class ActionExplode(Action):
    """Raises an unexpected error whose text must reach neither Rasa nor the log unmasked."""

    def name(self) -> str:
        """See the base class."""
        return "action_explode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Always fails."""
        raise RuntimeError("internal detail: customer phone 13800138001")


class ActionReject(Action):
    """Rejects its execution, which Rasa handles (a 400 naming the action)."""

    def name(self) -> str:
        """See the base class."""
        return "action_reject"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Always rejects."""
        raise ActionExecutionRejection("action_reject", "not now")
