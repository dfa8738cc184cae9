"""Conversation-wide actions: the Chinese two-stage fallback."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

TITLES_FILE = Path(__file__).with_name("intent_titles.yml")
# Intents that are never worth offering as "did you mean ...?".
_NOT_SUGGESTED = {"nlu_fallback", "out_of_scope", "inform", "affirm", "deny"}


@lru_cache(maxsize=1)
def intent_titles() -> dict[str, dict[str, str]]:
    """The ``intents`` and ``retrieval`` title maps of ``intent_titles.yml``."""
    data = yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8")) or {}
    return {"intents": data.get("intents") or {}, "retrieval": data.get("retrieval") or {}}


def suggestions(parse_data: dict[str, Any], limit: int = 2) -> list[dict[str, str]]:
    """The ``limit`` most likely topics of a message as ``{"title", "payload"}`` buttons.

    A plain intent becomes ``/intent`` (classified with certainty by Rasa). A retrieval
    intent (faq, chitchat) becomes its sub-intent's question, sent as text so that the
    response selector picks the answer.
    """
    titles = intent_titles()
    selector = parse_data.get("response_selector") or {}
    buttons: list[dict[str, str]] = []
    for ranked in parse_data.get("intent_ranking") or []:
        name = ranked.get("name")
        if not name or name in _NOT_SUGGESTED:
            continue
        if name in titles["intents"]:
            buttons.append({"title": titles["intents"][name], "payload": f"/{name}"})
        else:
            key = _retrieval_key(selector, name)
            question = titles["retrieval"].get(key or "")
            if question:
                buttons.append({"title": question, "payload": question})
        if len(buttons) == limit:
            break
    return buttons


def _retrieval_key(selector: dict[str, Any], intent: str) -> str | None:
    """The best ``intent/sub_intent`` key that the response selector found for ``intent``."""
    for group in (selector.get(intent), selector.get("default")):
        ranking = (group or {}).get("ranking") or []
        for candidate in ranking:
            key = candidate.get("intent_response_key") or ""
            if key.startswith(f"{intent}/"):
                return key
    return None


class ActionAskAffirmation(Action):
    """First stage of the fallback: offer the two most likely topics as buttons.

    Replaces Rasa's default, which shows raw intent names. "都不是" sends
    ``/out_of_scope``, which the two-stage fallback treats as "none of these" and asks
    the user to rephrase.
    """

    def name(self) -> str:
        """See the base class."""
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Sends the intro line with up to two topic buttons and a "none" button."""
        buttons = suggestions(tracker.latest_message or {})
        if not buttons:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons.append({"title": "都不是", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation_intro", buttons=buttons)
        return []


class ActionDefaultFallback(Action):
    """Last stage of the fallback: apologise and offer a human agent (转人工).

    Like Rasa's default it reverts the user's message, so the misunderstood text does not
    steer the dialogue policy afterwards.
    """

    def name(self) -> str:
        """See the base class."""
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utters ``utter_default`` (with 转人工 buttons) and reverts the user message."""
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
