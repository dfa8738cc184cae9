"""Answers questions from the knowledge base (知识库), live, without retraining.

``action_answer_knowledge`` runs for every question (intent ``faq``), also in the middle
of a form (the form then goes on). It looks the customer's words up in the published
entries (:mod:`zhike.lib.kb.live`, the same retrieval the desk's assist uses) and lets
the score decide:

* **answer** — the best entry's answer (its channel-specific text where it has one),
  with the entry's buttons;
* **suggest** — "亲，您是想问下面哪个问题呢？" with the closest standard questions as
  buttons and 「都不是」; a button sends ``/faq{"kb_entry": "<id>"}``, which answers that
  entry, and 「都不是」 sends ``kb_entry`` ``none``;
* **none** — an honest "I can't answer that yet" with 转人工.

A short follow-up right after an answer ("新疆也是吗" after the delivery area) that comes
closest to the entry just answered gets that entry again, though it scores too low alone.
A question about the order just shown ("这个能退吗") is answered for that order first
(:mod:`actions.order_questions`).

What the robot could not answer (none, 「都不是」) goes to the knowledge base's
unanswered-questions queue, masked, for staff to turn into new entries. When the
knowledge base cannot be reached the customer gets an apology and 转人工, never an error.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import input_channel
from actions.order_questions import answer_about_focus_order
from actions.topics import form_intents
from zhike.common.form_questions import asked_in_form
from zhike.common.lead_ins import new_matter
from zhike.common.topic_names import KB_ANSWERED_SLOT, NAMED_ENTRY_KEY, RULES_QUESTION_KEY
from zhike.lib.kb.live import KnowledgeUnavailable, Lookup, shared_knowledge
from zhike.lib.kb.retrieval import SURE_QUESTION
from zhike.lib.kb.unanswered import FALLBACK, REJECTED

logger = logging.getLogger(__name__)

ENTRY_ENTITY = "kb_entry"
NOT_THESE = "none"
LAST_QUESTION_SLOT = "kb_question"
ANSWERED_SLOT = KB_ANSWERED_SLOT
# A handoff asked for within this many messages of an answer says the answer did not help.
HANDOFF_AFTER_ANSWER = 2
SUGGESTIONS = 3
# A message this short right after an answer may be a follow-up on it ("新疆也是吗"),
# when it scores at least FOLLOW_UP_SCORE on the entry just answered.
FOLLOW_UP_LENGTH = 12
FOLLOW_UP_SCORE = 0.3
# The words of an elliptical question ("那保修呢", "新疆也是吗"): "and …?", "… too?"
ELLIPTICAL = re.compile(r"^那|也|呢[?？。!！~～]*$")
ACTION_NAME = "action_answer_knowledge"
QUESTION_INTENT = "faq"
HANDOFF_BUTTON = {"title": "转人工客服", "payload": "/human_handoff"}


def suggestion_buttons(hits: list[Any]) -> list[dict[str, str]]:
    """One button per suggested entry, then 「都不是」."""
    buttons = [
        {"title": hit.entry.question, "payload": _entry_payload(str(hit.entry.id))}
        for hit in hits[:SUGGESTIONS]
    ]
    buttons.append({"title": "都不是", "payload": _entry_payload(NOT_THESE)})
    return buttons


def _entry_payload(value: str) -> str:
    return '/faq{"' + ENTRY_ENTITY + '": "' + value + '"}'


def sure_question(parse_data: dict[str, Any] | None) -> bool:
    """Whether the NLU is sure a parsed message is a question (``faq`` at SURE_QUESTION).

    A short elliptical one ("新疆也是吗", "那保修呢") leans on what came before it: DIET is
    sure of it as a question, but not of which.
    """
    intent = (parse_data or {}).get("intent") or {}
    confidence = float(intent.get("confidence") or 0.0)
    if intent.get("name") != QUESTION_INTENT or confidence < SURE_QUESTION:
        return False
    text = str((parse_data or {}).get("text") or "").strip()
    return not (len(text) <= FOLLOW_UP_LENGTH and ELLIPTICAL.search(text))


def _picked_entry(tracker: Tracker) -> str | None:
    """The ``kb_entry`` a suggestion button sent with the latest message, if any."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == ENTRY_ENTITY and entity.get("value") is not None:
            return str(entity["value"])
    return None


class ActionAnswerKnowledge(Action):
    """Answers, suggests or owns up, by the knowledge base's score for the message."""

    def name(self) -> str:
        """See the base class."""
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Looks the latest message up and says the answer, the suggestions or sorry."""
        channel = input_channel(tracker)
        text = new_matter(str((tracker.latest_message or {}).get("text") or "").strip())
        picked = _picked_entry(tracker)
        in_form = (
            asked_in_form(tracker.active_loop_name, text, tracker.slots) if picked is None else None
        )
        if in_form and await answer_if_known(
            dispatcher, in_form, channel, tracker.active_loop_name
        ):
            return [SlotSet(LAST_QUESTION_SLOT, None), SlotSet(ANSWERED_SLOT, text)]
        if picked is None and await answer_about_focus_order(
            dispatcher, tracker, datetime.now(timezone.utc)
        ):
            return [SlotSet(LAST_QUESTION_SLOT, None)]  # "这个能退吗" right after the order
        knowledge = shared_knowledge()
        try:
            if picked == NOT_THESE:
                return await self._not_these(dispatcher, tracker, channel)
            if picked is not None and picked.isdigit():
                entry = await knowledge.entry(int(picked))
                if entry is not None:
                    await _say_entry(dispatcher, entry, channel, tracker.active_loop_name)
                    question = tracker.get_slot(LAST_QUESTION_SLOT) or entry.question
                    return [SlotSet(LAST_QUESTION_SLOT, None), SlotSet(ANSWERED_SLOT, question)]
            question = sure_question(tracker.latest_message)
            # a request asked about the rules, as the knowledge gate found and answered it
            said = tracker.latest_message or {}
            rules = bool(said.get(RULES_QUESTION_KEY))
            named = said.get(NAMED_ENTRY_KEY)  # the entry the words name ("可以退吗")
            lookup = await knowledge.lookup(
                text, k=SUGGESTIONS, question=question, rules=rules, named=named
            )
            follow_up = None
            if lookup.decision != "answer":
                follow_up = await _followed_up_entry(tracker, text, lookup)
        except KnowledgeUnavailable:
            logger.warning("knowledge base unavailable", exc_info=True)
            dispatcher.utter_message(response="utter_kb_unavailable", buttons=[HANDOFF_BUTTON])
            return []
        if lookup.decision == "answer" or follow_up is not None:
            entry = follow_up or lookup.hits[0].entry
            await _say_entry(dispatcher, entry, channel, tracker.active_loop_name)
            return [SlotSet(LAST_QUESTION_SLOT, None), SlotSet(ANSWERED_SLOT, text)]
        if lookup.decision == "suggest":
            dispatcher.utter_message(
                response="utter_kb_did_you_mean", buttons=suggestion_buttons(list(lookup.hits))
            )
            return [SlotSet(LAST_QUESTION_SLOT, text)]
        await record_unanswered(text, FALLBACK, channel)
        dispatcher.utter_message(response="utter_kb_no_answer", buttons=[HANDOFF_BUTTON])
        return [SlotSet(LAST_QUESTION_SLOT, None)]

    async def _not_these(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, channel: str
    ) -> list[dict[str, Any]]:
        question = tracker.get_slot(LAST_QUESTION_SLOT)
        if question:
            await record_unanswered(str(question), REJECTED, channel)
        dispatcher.utter_message(response="utter_kb_not_these", buttons=[HANDOFF_BUTTON])
        return [SlotSet(LAST_QUESTION_SLOT, None)]


async def _followed_up_entry(tracker: Tracker, text: str, lookup: Lookup) -> Any | None:
    """The entry just answered, when a short follow-up is about it ("新疆也是吗").

    A follow-up of at most :data:`FOLLOW_UP_LENGTH` characters, right after an answer,
    that the knowledge base finds closest to the entry it just answered, from
    :data:`FOLLOW_UP_SCORE` (too weakly to answer it alone), gets that entry's answer
    again: "哪些地区可以配送" answered, then "新疆也是吗" scores 0.46 on the same entry and
    nothing else comes near.
    """
    previous = just_answered(tracker)
    if not previous or len(text) > FOLLOW_UP_LENGTH or not lookup.hits:
        return None
    if lookup.hits[0].score < FOLLOW_UP_SCORE:
        return None  # nothing in common with any entry, the one just answered included
    answered = await shared_knowledge().lookup(previous, k=1)
    if answered.decision != "answer" or not answered.hits:
        return None
    entry = answered.hits[0].entry
    return entry if lookup.hits[0].entry.id == entry.id else None


async def answer_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[dict[str, Any]] | None:
    """Answers a follow-up on the answer just given that the NLU was unsure of.

    "质量问题呢" right after "退货运费谁出啊" was answered, "怎么预约" right after the
    trial lesson: the entry just answered again (:func:`_followed_up_entry`), instead of
    "您是想咨询…". The events to return, or ``None`` (nothing said; never fails the turn).
    """
    previous = just_answered(tracker)
    if not previous or len(text) > FOLLOW_UP_LENGTH:
        return None
    try:
        lookup = await shared_knowledge().lookup(text, k=SUGGESTIONS)
        entry = await _followed_up_entry(tracker, text, lookup)
    except KnowledgeUnavailable:
        logger.warning("knowledge base unavailable", exc_info=True)
        return None
    if entry is None:
        return None
    await _say_entry(dispatcher, entry, input_channel(tracker))
    return [SlotSet(ANSWERED_SLOT, previous)]  # a further follow-up is about it too


def just_answered(tracker: Tracker) -> str | None:
    """The question the knowledge base answered in reply to the previous message, if any."""
    users = 0
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users > 1:
                return None  # before the previous message: an older answer
        elif kind == "slot" and event.get("name") == ANSWERED_SLOT and users == 1:
            value = event.get("value")
            return str(value) if value else None
        elif kind in ("session_started", "restart"):
            return None
    return None


async def answer_if_known(
    dispatcher: CollectingDispatcher,
    text: str,
    channel: str,
    form: str | None = None,
    suggested: bool = False,
) -> bool:
    """Says the answer when an entry answers ``text``; whether it did (never fails the turn).

    For a question asked where a form expects a value the NLU could not tell apart
    from one ("验证码收不到怎么办" while the code is asked): answered, then the form asks
    again. ``suggested``: the caller knows the topic already (a delivery question about a
    region), so the entry the knowledge base would only suggest answers too.
    """
    try:
        lookup = await shared_knowledge().lookup(text, k=1)
    except KnowledgeUnavailable:
        logger.warning("knowledge base unavailable", exc_info=True)
        return False
    taken = ("answer", "suggest") if suggested else ("answer",)
    if lookup.decision not in taken or not lookup.hits:
        return False
    await _say_entry(dispatcher, lookup.hits[0].entry, channel, form)
    return True


async def _say_entry(
    dispatcher: CollectingDispatcher, entry: Any, channel: str, form: str | None = None
) -> None:
    """Says an entry's answer and counts it for knowledge coverage (never fails the turn).

    Inside ``form``, a button that would start the form's own request is left out: the
    customer is already doing it (「申请退货/退款」 under the return policy, in the refund).
    """
    own = {f"/{intent}" for intent in form_intents(form)}
    buttons = [
        {"title": b.title, "payload": b.payload}
        for b in entry.buttons
        if str(b.payload).split("{", 1)[0] not in own
    ]
    text = entry.answer_for(channel)
    if entry.link:
        text = f"{text}\n{entry.link}"
    dispatcher.utter_message(text=text, buttons=buttons or None)
    try:
        await shared_knowledge().record_answer(entry.id, channel)
    except KnowledgeUnavailable:
        logger.warning("could not count a knowledge-base answer", exc_info=True)


async def record_unanswered(text: str, reason: str, channel: str) -> None:
    """Puts a message the robot could not answer in the queue (never fails the turn)."""
    if not text.strip() or text.startswith("/"):
        return
    try:
        await shared_knowledge().record_unanswered(text, reason, channel)
    except KnowledgeUnavailable:
        logger.warning("could not record an unanswered question", exc_info=True)


async def question_buttons(text: str, limit: int) -> list[dict[str, str]]:
    """Buttons for the knowledge base's closest entries above the suggestion floor."""
    try:
        lookup = await shared_knowledge().lookup(text, k=limit)
    except KnowledgeUnavailable:
        logger.warning("knowledge base unavailable", exc_info=True)
        return []
    if lookup.decision == "none":
        return []
    return suggestion_buttons(list(lookup.hits))[:-1][:limit]


async def record_after_answer(tracker: Tracker, reason: str, within: int | None = None) -> None:
    """Queues the question the robot last answered from the knowledge base, as not covered.

    For a handoff right after an answer (``within`` messages) or a low rating later in the
    conversation: the answer given did not help, so staff should look at the question.
    """
    question = tracker.get_slot(ANSWERED_SLOT)
    if not question:
        return
    messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            messages += 1
            if within is not None and messages > within:
                return
        elif event.get("event") == "action" and event.get("name") == ACTION_NAME:
            await record_unanswered(str(question), reason, input_channel(tracker))
            return
        elif event.get("event") in ("restart", "session_started"):
            return
