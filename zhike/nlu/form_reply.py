"""A reply to the form that the fallback's 「您是想咨询…」 interrupted goes back to that form.

A form asks (a new address, a reason, a yes); the customer asks something the NLU is unsure
of ("顺便问下发票怎么开"); the form gives the message up and the two-stage fallback asks
"您是想咨询下面哪个问题呢？". The customer then often answers the form instead
("上海市浦东新区张江路88号3栋502"). Read alone, the NLU is unsure of that too, and two
unsure messages in a row were a handoff: 「抱歉，我没能理解您的问题」 to an address.

This component, last in the pipeline, sees the conversation: while the fallback's question
is open over an interrupted form (:func:`interrupted_form`), a message the NLU declined
(``nlu_fallback``, ``out_of_scope``) that asks nothing
(:func:`zhike.common.questions.asks_question`) becomes ``inform``. The fallback then ends
as for a click, the message is replayed to the form, and the form validates it as its
answer: an address is taken, anything else is asked for again, as a form does. The parse
result names the form (:data:`FORM_REPLY_KEY`). A button of the form's question typed
again ("好吧 确定取消") is read earlier, by :mod:`zhike.nlu.typed_choice`.

While a form runs, a reply that only proposes a time
(:func:`zhike.nlu.proposed_times.proposes_a_time`: "上午十点", "那就周六吧") is the
form's answer too, however the NLU read it as a question, small talk or nothing: DIET
took "上午十点" for the service hours, and the knowledge base answered it in the middle
of a lesson change instead of the form moving the lesson to ten.

While a form asks for a value, a question about that value with none in it
(:data:`ABOUT_THE_VALUE`: "新号码是多少你们能看到吗" while the new phone number is asked
for) is the form's answer too, however the NLU read it (DIET: a question for the knowledge
base, which has no entry for it): the form's validator says what the robot cannot see.

While a form runs, a message made out of scope for another domain's words
(:mod:`zhike.nlu.other_domains`) gets back the intent the NLU gave it: the form reads it as
before ("孩子看病去了" to a leave's reason).

While a form runs, a message the NLU declined that is a question about the form's matter
(:mod:`zhike.common.form_questions`: "师傅上门收费吗" while an installation is booked) is
the question intent ``faq``: the knowledge base answers it and the form asks its question
again, instead of 「您是想咨询…」 over the form.

``config.yml`` (after :mod:`zhike.nlu.knowledge_gate`, so a question the knowledge base
answers stays a question)::

    - name: zhike.nlu.form_reply.FormReply
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import ActionExecutionRejected, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from zhike.common.form_questions import asked_in_form
from zhike.common.questions import asks_question
from zhike.common.topic_names import OUT_OF_SCOPE, QUESTION_INTENT, TWO_STAGE_FALLBACK, UNSURE
from zhike.nlu.other_domains import ELSEWHERE_KEY
from zhike.nlu.proposed_times import proposes_a_time

FORM_REPLY_KEY = "form_reply"
ANSWER_INTENT = "inform"
DECLINED = frozenset({UNSURE, OUT_OF_SCOPE})
# What the NLU may have made of a bare time said to a form ("上午十点": faq at 1.0).
TIME_MISREAD = DECLINED | {"faq", "chitchat", "greet"}
# The words of a question about the value a form asks for, by the slot asked for: whether
# the robot sees or knows the new number.
ABOUT_THE_VALUE = {
    "receiver_phone": re.compile(
        r"(?:号码|手机号|电话).{0,8}(?:看到|看得到|看得见|知道|查到|收到)|"
        r"(?:看到|看得到|看得见|知道|查到).{0,6}(?:号码|手机号|电话)"
    )
}


def interrupted_form(
    tracker: DialogueStateTracker | None,
) -> tuple[str, list[dict[str, Any]]] | None:
    """The form the open "您是想咨询…" interrupted, and the buttons of its question.

    The form gave the customer's message up (``ActionExecutionRejected``) to the two-stage
    fallback, whose question is open now; the form's question (with its buttons, if any)
    is the bot's last message before that message. ``None`` when no form waits.
    """
    if tracker is None or tracker.active_loop_name != TWO_STAGE_FALLBACK:
        return None
    form: str | None = None
    passed = False
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecutionRejected) and not passed:
            form = form or event.action_name
        elif isinstance(event, UserUttered):
            if passed or form is None:
                return (form, []) if passed and form else None
            passed = True
        elif (
            form and passed and isinstance(event, BotUttered) and (event.data or {}).get("buttons")
        ):
            buttons = (event.data or {}).get("buttons") or []
            return form, [b for b in buttons if isinstance(b, dict) and b.get("payload")]
    return (form, []) if passed and form else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FormReply(GraphComponent):
    """Reads a declined reply to an interrupted form as the form's answer (``inform``)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FormReply:
        """See the parent class."""
        return cls()

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        """Makes each declined message that asks nothing the interrupted form's answer.

        And, while a form runs, a bare time however it was read (:data:`TIME_MISREAD`), and
        a declined question about the form's matter a question (``faq``).
        """
        interrupted = interrupted_form(tracker)
        running = _running_form(tracker)
        for message in messages:
            if running is not None:
                _back_from_elsewhere(message)
            intent = (message.get(INTENT) or {}).get("name")
            text = str(message.get(TEXT) or "")
            if text.startswith("/"):
                continue
            reply = ANSWER_INTENT
            if interrupted is not None and intent in DECLINED and not asks_question(text):
                form = interrupted[0]
            elif running is not None and intent in TIME_MISREAD and proposes_a_time(text):
                form = running
            elif running is not None and intent in TIME_MISREAD and _about_the_value(text, tracker):
                form = running  # "新号码是多少你们能看到吗" while the new number is asked for
            elif running is not None and intent in DECLINED and _asked_in(running, text, tracker):
                form, reply = running, QUESTION_INTENT  # "师傅上门收费吗" while booking a visit
            else:
                continue
            message.set(INTENT, {"name": reply, "confidence": 1.0}, add_to_output=True)
            message.set(FORM_REPLY_KEY, form, add_to_output=True)
        return messages


def _asked_in(form: str, text: str, tracker: DialogueStateTracker | None) -> bool:
    """Whether ``text`` is a question about ``form``'s matter (form_questions.yml)."""
    slots = tracker.current_slot_values() if tracker is not None else {}
    return asked_in_form(form, text, slots) is not None


def _about_the_value(text: str, tracker: DialogueStateTracker | None) -> bool:
    """Whether ``text`` asks about the value the form asks for, and gives none."""
    asked = tracker.get_slot(REQUESTED_SLOT) if tracker is not None else None
    words = ABOUT_THE_VALUE.get(str(asked))
    return bool(words and words.search(text)) and not re.search(r"\d", text) and asks_question(text)


def _back_from_elsewhere(message: Message) -> None:
    """Gives a message made out of scope for another domain's words its intent back."""
    elsewhere = message.get(ELSEWHERE_KEY)
    if isinstance(elsewhere, dict) and isinstance(elsewhere.get("was"), dict):
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        if ranking and ranking[0].get("name") == OUT_OF_SCOPE:  # the one the floor put first
            ranking = ranking[1:]
        message.set(INTENT, dict(elsewhere["was"]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _running_form(tracker: DialogueStateTracker | None) -> str | None:
    """The form asking the customer now (not the fallback's loop), if any."""
    name = tracker.active_loop_name if tracker is not None else None
    return name if name and name != TWO_STAGE_FALLBACK else None
