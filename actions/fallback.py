"""The two-stage fallback: "did you mean …?" buttons, then 转人工.

When NLU is unsure (``nlu_fallback``), ``action_default_ask_affirmation`` offers the two
most likely topics as buttons: a request becomes its title (``/query_logistics`` as
「查询物流进度」), small talk its question, and a question (``faq``) the knowledge base's
closest standard question (``/faq{"kb_entry": "<id>"}``). 「都不是」 asks to rephrase; the
last stage, ``action_default_fallback``, offers a human agent and puts the message in the
knowledge base's unanswered-questions queue.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import intent_titles
from actions.complaints import note_complaint_detail
from actions.identity import input_channel
from actions.knowledge import (
    HANDOFF_BUTTON,
    QUESTION_INTENT,
    answer_follow_up,
    question_buttons,
    record_unanswered,
)
from actions.order_clarification import NONE_OF_THESE, clarify_named_order
from actions.order_questions import answer_about_focus_order
from actions.refund_progress import say_focus_refund_urged
from actions.turns import previous_turn, suggested_intents
from zhike.common.topic_names import BEYOND_KEY, UNSURE
from zhike.common.urges import urges_only
from zhike.lib.kb.unanswered import FALLBACK

# A message of punctuation or symbols only ("？", "。。。", "~~").
_SAYS_NOTHING = re.compile(r"^[\W_]*$")


def suggestions(
    parse_data: dict[str, Any],
    limit: int = 2,
    questions: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """The ``limit`` most likely topics of a message as ``{"title", "payload"}`` buttons.

    A plain intent becomes ``/intent`` (classified with certainty by Rasa). Small talk
    (chitchat) becomes its topic's question, sent as text so that the response selector
    picks the answer. A question (faq) becomes the first of ``questions`` (the knowledge
    base's closest entries) not offered yet.
    """
    titles = intent_titles()
    selector = parse_data.get("response_selector") or {}
    remaining = list(questions or [])
    buttons: list[dict[str, str]] = []
    for name in suggested_intents(parse_data):
        if name in titles["intents"]:
            buttons.append({"title": titles["intents"][name], "payload": f"/{name}"})
        elif name == QUESTION_INTENT:
            if remaining:
                buttons.append(remaining.pop(0))
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


def _ranks_a_question(parse_data: dict[str, Any], limit: int) -> bool:
    return QUESTION_INTENT in suggested_intents(parse_data)[:limit]


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
        """Sends the intro line with up to two topic buttons and a "none" button.

        An unsure question about the order just shown ("这个能换吗") is answered for that
        order instead (:mod:`actions.order_questions`), and a short follow-up on the
        knowledge-base answer just given ("质量问题呢") with that answer again. A bare urge
        ("怎么这么慢") is asked what it chases, with the orders and a person as buttons.
        """
        parse_data = tracker.latest_message or {}
        if _SAYS_NOTHING.match(str(parse_data.get("text") or "")):
            # "？", "。。。": no words to guess topics from; ask what the customer needs
            dispatcher.utter_message(response="utter_ask_what_you_need")
            return []
        beyond = parse_data.get(BEYOND_KEY)
        if isinstance(beyond, dict) and beyond.get("name"):
            # a topic the robot does not serve (zhike/nlu/frames.yml): say so, offer a person
            buttons = [HANDOFF_BUTTON, {"title": "不是这个问题", "payload": NONE_OF_THESE}]
            dispatcher.utter_message(
                response="utter_beyond_scope", topic=beyond["name"], buttons=buttons
            )
            return []
        if await note_complaint_detail(dispatcher, tracker):
            return []  # "就是今天送货那个 扔在门口就走了" right after the complaint
        if await answer_about_focus_order(dispatcher, tracker, datetime.now(timezone.utc)):
            return []
        followed_up = await answer_follow_up(dispatcher, tracker, str(parse_data.get("text") or ""))
        if followed_up is not None:
            return followed_up
        if urges_only(str(parse_data.get("text") or "")):
            if await say_focus_refund_urged(dispatcher, tracker):
                return []  # "都一个星期了" right after the refund's progress
            # "怎么这么慢" with nothing it may chase just shown: which matter, not small talk
            orders = {"title": intent_titles()["intents"]["list_orders"], "payload": "/list_orders"}
            dispatcher.utter_message(
                response="utter_urge_unclear", buttons=[orders, HANDOFF_BUTTON]
            )
            return []
        questions = None
        if _ranks_a_question(parse_data, limit=2):
            questions = await question_buttons(str(parse_data.get("text") or ""), limit=2)
        buttons = suggestions(parse_data, questions=questions)
        named = await clarify_named_order(dispatcher, tracker, domain, buttons)
        if named is not None:
            return named  # "我的水壶怎么样了": which request, for the kettle's order
        if not buttons:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons.append({"title": "都不是", "payload": NONE_OF_THESE})
        dispatcher.utter_message(response="utter_ask_affirmation_intro", buttons=buttons)
        return []


class ActionDefaultFallback(Action):
    """Last stage of the fallback: apologise and offer a human agent (转人工).

    Like Rasa's default it reverts the user's message, so the misunderstood text does not
    steer the dialogue policy afterwards. The message goes to the knowledge base's
    unanswered-questions queue.
    """

    def name(self) -> str:
        """See the base class."""
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utters ``utter_default`` (with 转人工 buttons) and reverts the user message.

        Rasa ends its fallback when two messages in a row were unclear to the NLU, but
        the one before may have been understood after all: an order number in an unclear
        message was looked up, "这个还能退不" was answered for the order in focus. Then
        this message gets the first stage instead (:class:`actions.turns.Turn`). A short
        follow-up on the knowledge-base answer just given gets that answer again, as in
        the first stage.
        """
        unsure = ((tracker.latest_message or {}).get("intent") or {}).get("name") == UNSURE
        previous = previous_turn(tracker)
        if unsure and previous is not None and previous.understood:
            await ActionAskAffirmation().run(dispatcher, tracker, domain)
            return [UserUtteranceReverted()]  # as below: the fallback loop does not start again
        text = str((tracker.latest_message or {}).get("text") or "")
        followed_up = await answer_follow_up(dispatcher, tracker, text)
        if followed_up is not None:  # "质量问题呢" (a bare statement to the NLU) after an answer
            return [UserUtteranceReverted(), *followed_up]  # the rules' fallback turn, undone
        named = await clarify_named_order(dispatcher, tracker, domain, [])
        if named is not None:
            # "是那个水壶" after "您是想咨询…" (an answer without an entity to Rasa): that order
            return [UserUtteranceReverted(), *named]
        await record_unanswered(text, FALLBACK, input_channel(tracker))
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
