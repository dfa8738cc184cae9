"""Satisfaction (CSAT): the 1-5 rating after a conversation, and a comment on a low one.

``action_ask_rating`` shows the rating buttons (after goodbye, and after an agent closed
the conversation: the desk runs it through Rasa's API) and sets ``csat_state`` to
``asked``. ``action_record_rating`` reads the score from the button or the text; 4-5 is
stored at once, 1-3 first asks what went wrong, and the next message is the comment
(``action_record_rating_comment``, run by the HandoffPolicy while ``csat_state`` is
``awaiting_comment``). Ratings are stored with the conversation in
:mod:`zhike.lib.handoff` (the agent's episode, or the bot's own).

A typed rating ("5", "５", "五星", "满分", "给5星吧", "非常满意") counts whatever intent
the NLU predicted, once ``action_record_rating`` runs for the message after the question
(the rule for ``rate_service``, or a HandoffPolicy takeover of ``csat_state: asked``).
A message that is not a rating is then given back: the action rejects itself
(``ActionExecutionRejected``) and clears ``csat_state``, so the other policies handle it
as if the question had not been asked. Thanks or a plain yes ("谢谢 没别的了", "好的")
is answered the same way but leaves the question open: "4" after it is still the score.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import form_left
from actions.identity import input_channel, known_customer_id
from actions.knowledge import record_after_answer
from actions.parsing import normalize_text, typed_text
from actions.typed_parsing import parse_rating, parse_rating_reply
from zhike.common.handoff_names import RATING_ACTION
from zhike.common.privacy import mask_text
from zhike.lib.handoff import HandoffError
from zhike.lib.handoff.runtime import handoff_service
from zhike.lib.kb.unanswered import LOW_RATING

logger = logging.getLogger(__name__)

STATE_SLOT = "csat_state"
SCORE_SLOT = "csat_score"
ASKED = "asked"
RATING_INTENT = "rate_service"
LOW_SCORE = 3
# Replies that leave the rating question open: the score may come in the next message.
STILL_ASKED_AFTER = frozenset({"thank", "affirm"})
NO_COMMENT = ("不用了", "不用", "没有", "算了", "没了", "无")
MAX_COMMENT = 500


def _cleared() -> list[dict[str, Any]]:
    return [SlotSet(STATE_SLOT, None), SlotSet(SCORE_SLOT, None)]


async def store_rating(tracker: Tracker, score: int, comment: str | None) -> bool:
    """Stores the rating with the sender's conversation; ``False`` (logged) on failure."""
    customer_id = await known_customer_id(tracker)
    try:
        service = await handoff_service()
        await service.rate_latest(
            tracker.sender_id, input_channel(tracker), customer_id, score, comment
        )
    except HandoffError as error:
        logger.warning("Could not store a rating: %s", error)
        return False
    return True


class ActionAskRating(Action):
    """Asks for a 1-5 rating with buttons."""

    def name(self) -> str:
        """See the base class."""
        return RATING_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The rating question; remembers that it was asked.

        A goodbye in the middle of a form means the customer is leaving: the form ends
        (its slots cleared) instead of asking its question again after the rating.
        """
        dispatcher.utter_message(response="utter_ask_rating")
        return [*form_left(tracker), SlotSet(STATE_SLOT, ASKED), SlotSet(SCORE_SLOT, None)]


class ActionRecordRating(Action):
    """Stores a 4-5 rating, or asks what went wrong before storing a 1-3 one."""

    def name(self) -> str:
        """See the base class."""
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reads the score from the button (slot) or the text.

        With the ``rate_service`` intent any score in the text counts ("今天服务打4分");
        with another intent only a message that is a rating and nothing else
        (:func:`~actions.parsing.parse_rating_reply`). Right after the question, a message
        that is not one is given back (see the module docstring); an order card never is
        a rating.
        """
        text = typed_text((tracker.latest_message or {}).get("text"))
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        score = parse_rating(tracker.get_slot(SCORE_SLOT))
        if score is None:
            score = parse_rating(text) if intent == RATING_INTENT else parse_rating_reply(text)
        if score is None and intent != RATING_INTENT and tracker.get_slot(STATE_SLOT) == ASKED:
            if intent in STILL_ASKED_AFTER:  # "谢谢 没别的了", then "4": still the rating
                return [ActionExecutionRejected(self.name())]
            return [ActionExecutionRejected(self.name()), *_cleared()]
        if score is None:
            dispatcher.utter_message(response="utter_rating_not_understood")
            return [SlotSet(SCORE_SLOT, None)]
        if score <= LOW_SCORE:
            await record_after_answer(tracker, LOW_RATING)
            dispatcher.utter_message(response="utter_rating_ask_comment")
            return [SlotSet(STATE_SLOT, "awaiting_comment"), SlotSet(SCORE_SLOT, str(score))]
        await store_rating(tracker, score, None)
        dispatcher.utter_message(response="utter_rating_thanks")
        return [*form_left(tracker), *_cleared()]  # "好嘞 给你5星" while asked which order


class ActionRecordRatingComment(Action):
    """Stores a low rating with what the customer wrote next (or without, if they decline)."""

    def name(self) -> str:
        """See the base class."""
        return "action_record_rating_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The comment is masked (phones, ID numbers) and cut to 500 characters."""
        score = parse_rating(tracker.get_slot(SCORE_SLOT))
        text = normalize_text((tracker.latest_message or {}).get("text"))
        comment = None if text.strip("。.!！ ") in NO_COMMENT else mask_text(text)[:MAX_COMMENT]
        if score is not None:
            await store_rating(tracker, score, comment or None)
        dispatcher.utter_message(
            response="utter_rating_comment_thanks" if comment else "utter_rating_thanks"
        )
        return _cleared()
