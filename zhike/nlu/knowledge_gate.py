"""A question the knowledge base can answer is a question, whatever DIET made of it.

DIET learns from training data, but staff add knowledge-base entries in the desk without
retraining: "你们实体店在哪" for a new entry may come out of DIET as ``nlu_fallback`` or
``out_of_scope``. This component, last in the pipeline, looks such a message up in the
published knowledge base (:class:`zhike.lib.kb.background.BackgroundKnowledge`, refreshed
every few seconds in a thread of its own) and, when an entry matches at the answer
threshold, makes it the question intent ``faq`` (``action_answer_knowledge`` then answers
it). Requests to act keep their intents: only the intents in ``questions_from`` are
looked at, so "我要退款" stays a refund request however well it matches a refund FAQ, and
an unsure request that names the customer's order, parcel or ticket ("申请价保 HP20241001",
see :mod:`zhike.nlu.anchors`) is left to the "您是想咨询…" buttons rather than answered
with the policy. Small talk and greetings (``small_talk_from``) become a question only
when they are in an entry's own words ("周末有人吗", a similar question of the service
hours, which DIET reads as a greeting). One exception: a request intent phrased as a
question about the rules ("退款一般多久到账", "如果降价了能保价吗") is looked at too
(``policy_questions``, see :mod:`zhike.nlu.policy_questions`), unless it names one of the
customer's things; its words say it is a question, so an entry clearly ahead of the
others answers it from a lower lead ("有没有适合初二的数学班 学费多少", see
:mod:`zhike.lib.kb.retrieval.thresholds`).

The gate is on only where the knowledge base is configured: ``ZHIKE_KB_DB_URL`` set (the
stack sets it for the Rasa server). Without it (``rasa test nlu``, benchmarks of DIET
alone) messages pass through unchanged.

``config.yml``::

    - name: zhike.nlu.knowledge_gate.KnowledgeGate
      questions_from: [nlu_fallback, out_of_scope, faq]
      small_talk_from: [greet, chitchat, bot_challenge]
      policy_questions: true
"""

from __future__ import annotations

import logging
import os
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from zhike.common.lead_ins import new_matter
from zhike.common.topic_names import (
    ALONE_FRAME_KEY,
    BEYOND_KEY,
    BUSINESS_INTENTS,
    NAMED_ENTRY_KEY,
    QUESTION_INTENT,
    RULES_QUESTION_KEY,
    SECOND_OPINION_KEY,
    UNANSWERED_KEY,
)
from zhike.lib.kb.background import BackgroundKnowledge
from zhike.lib.kb.live import Lookup
from zhike.lib.kb.retrieval import SURE_QUESTION
from zhike.lib.kb.settings import ENV_VAR as KB_DB_URL_ENV
from zhike.nlu.anchors import names_a_thing, unsure_anchored_request
from zhike.nlu.policy_questions import PolicyQuestions

logger = logging.getLogger(__name__)

DEFAULT_QUESTIONS_FROM = ["nlu_fallback", "out_of_scope", QUESTION_INTENT]
# Small talk and greetings become a question only in an entry's own words: staff who add
# "周末有人吗" to the service hours see it answered, though DIET takes it for a greeting.
DEFAULT_SMALL_TALK_FROM = ["greet", "chitchat", "bot_challenge"]
IN_AN_ENTRYS_WORDS = 0.9
# DIET's confidence from which it acts on a request alone (IntentFloor's ``requests``).
SURE_REQUEST = 0.75


def may_be_question(
    data: dict[str, Any],
    questions_from: frozenset[str],
    policy: PolicyQuestions | None,
    small_talk_from: frozenset[str] = frozenset(),
) -> bool:
    """Whether the knowledge base may answer a parsed message (``data``: Rasa's parse keys).

    Args:
        data: the message's ``text``, ``intent``, ``intent_ranking`` and ``entities``.
        questions_from: the intents that may become a question.
        policy: the phrases that make a request a question about the rules, or None.
        small_talk_from: the intents that become a question in an entry's own words.
    """
    text = str(data.get(TEXT) or "")
    if not text.strip() or text.startswith("/"):
        return False  # a button's payload names its intent itself
    if data.get(BEYOND_KEY):
        return False  # a topic the robot does not serve (frames.yml): no entry answers it
    intent = (data.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if intent in small_talk_from:
        return True
    if intent in questions_from:
        # "申请价保 HP…" unsure: offer the request, don't explain the policy
        return not unsure_anchored_request(data)
    return policy is not None and policy.asks_to_know(intent, text) and not names_a_thing(data)


def gated(
    data: dict[str, Any],
    lookup: Lookup,
    questions_from: frozenset[str],
    small_talk_from: frozenset[str] = frozenset(),
    policy: PolicyQuestions | None = None,
) -> dict[str, Any] | None:
    """The ``intent`` and ``intent_ranking`` the knowledge base's decision gives a message.

    Args:
        data: the parsed message (:func:`may_be_question` allowed it).
        lookup: the knowledge base's decision (``answer``, ``suggest`` or ``none``) and
            best entries for the message.
        questions_from: the intents that may become a question.
        small_talk_from: the intents that become a question when the message is in an
            entry's own words (a score of :data:`IN_AN_ENTRYS_WORDS`).
        policy: the phrases of asking about the rules: an unsure request asked so
            ("我想给孩子报个英语课 怎么收费", DIET's unsure lesson change) is answered.

    Returns:
        The new ``intent`` and ``intent_ranking``, or None to leave the message as it is.
        An answer makes it ``faq``. A question no entry answers that is in the words of a
        frame deciding alone (``alone_frame``: "你好请问带电子狗吗?") becomes that request.
        A request asked as a question about the rules that an
        entry may answer ("suggest") becomes ``nlu_fallback`` with ``faq`` ranked first:
        the customer is offered the entry's question and the request as buttons. One no
        entry answers ("none": "取件标准写着不需要寄回 什么意思") becomes ``nlu_fallback``
        too, the request first: asked about, never started as if the customer had asked.
        An unsure message whose likeliest intent is a request keeps the request's
        buttons rather than an answer that is only clearly the best entry
        (``lookup.by_margin``: "修改发票"), or any answer when the linear model picks
        the same request ("您好 申请价保", "不是说要开发票的吗 怎么没有发票呢?") or DIET
        alone was sure of it ("能换吗" is no question about changing teachers); a message
        in an entry's own words (:data:`IN_AN_ENTRYS_WORDS`: "价保怎么申请", written by
        staff as a similar question) is answered all the same, and the answer's buttons
        offer the request.
    """
    intent, decision = data.get(INTENT) or {}, lookup.decision
    score = lookup.hits[0].score if lookup.hits else 0.0
    if intent.get(INTENT_NAME_KEY) in small_talk_from and score < IN_AN_ENTRYS_WORDS:
        return None
    if (
        decision == "answer"
        and score < IN_AN_ENTRYS_WORDS
        and _request_leads(data, strong_answer=not lookup.by_margin)
        and not asked_about_the_rules(data, policy)
        and named_entry(data, policy) is None
    ):
        decision = "suggest"
    question = {INTENT_NAME_KEY: QUESTION_INTENT, PREDICTED_CONFIDENCE_KEY: score}
    ranking = [
        r for r in data.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != QUESTION_INTENT
    ]
    unsure = {
        INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
        PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY),
    }
    if decision == "answer":
        return {INTENT: question, INTENT_RANKING_KEY: [dict(question), *ranking]}
    framed = data.get(ALONE_FRAME_KEY)
    if intent.get(INTENT_NAME_KEY) == QUESTION_INTENT and framed:
        # "你好请问带电子狗吗?": no entry answers it, the product is looked up
        request = {**intent, INTENT_NAME_KEY: framed}
        return {INTENT: request, INTENT_RANKING_KEY: [dict(request), *ranking]}
    if intent.get(INTENT_NAME_KEY) in questions_from:
        return None
    if decision == "suggest":
        return {INTENT: unsure, INTENT_RANKING_KEY: [dict(question), *ranking]}
    return {INTENT: unsure, INTENT_RANKING_KEY: [dict(unsure), *ranking]}


def asked_about_the_rules(data: dict[str, Any], policy: PolicyQuestions | None) -> bool:
    """Whether a request (declined: its likeliest one) is asked about the rules.

    Its words say it is a question: the knowledge base answers an entry clearly ahead of
    the others from a lower lead (:data:`~zhike.common.topic_names.RULES_QUESTION_KEY`).
    """
    if policy is None or names_a_thing(data):
        return False
    return policy.asks_to_know(_lead(data).get(INTENT_NAME_KEY), str(data.get(TEXT) or ""))


def named_entry(data: dict[str, Any], policy: PolicyQuestions | None) -> str | None:
    """The question of the entry a message's words name ("可以退吗": the return policy).

    None for a message naming the customer's order, parcel or ticket: its own matter.
    """
    if policy is None or names_a_thing(data):
        return None
    return policy.named_entry(str(data.get(TEXT) or ""))


def _lead(data: dict[str, Any]) -> dict[str, Any]:
    """A declined message's likeliest intent in its ranking (the fallback left out)."""
    ranked = (
        r
        for r in data.get(INTENT_RANKING_KEY) or []
        if r.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME
    )
    return next(ranked, {})


def _request_leads(data: dict[str, Any], strong_answer: bool = False) -> bool:
    """Whether a declined message's likeliest intent is a request to act.

    Against a ``strong_answer`` (at the answer threshold), only a request the second
    opinion (the linear model) picks too, or one DIET alone was sure enough of to act on
    (:data:`SURE_REQUEST`: "能换吗", DIET's exchange at 0.91, which the linear model took
    for a question).
    """
    if (data.get(INTENT) or {}).get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME:
        return False
    lead = _lead(data)
    name = lead.get(INTENT_NAME_KEY)
    if name not in BUSINESS_INTENTS:
        return False
    if not strong_answer or float(lead.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= SURE_REQUEST:
        return True
    return (data.get(SECOND_OPINION_KEY) or {}).get(INTENT_NAME_KEY) == name


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KnowledgeGate(GraphComponent, IntentClassifier):
    """Makes a message the knowledge base can answer the question intent ``faq``."""

    @classmethod
    def required_components(cls) -> list[type]:
        """After the intent classifiers and the fallback."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Which intents may become a question."""
        return {
            "questions_from": DEFAULT_QUESTIONS_FROM,
            "small_talk_from": DEFAULT_SMALL_TALK_FROM,
            "policy_questions": True,
        }

    def __init__(self, config: dict[str, Any], knowledge: BackgroundKnowledge | None) -> None:
        self.questions_from = frozenset(config.get("questions_from") or DEFAULT_QUESTIONS_FROM)
        self.small_talk_from = frozenset(config.get("small_talk_from", DEFAULT_SMALL_TALK_FROM))
        self.policy = PolicyQuestions.load() if config.get("policy_questions", True) else None
        self.knowledge = knowledge

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeGate:
        """See the parent class; the knowledge base comes from ``ZHIKE_KB_DB_URL``.

        The index starts building when the model loads, so the first customers' messages
        neither wait for it nor compete with it for the CPU.
        """
        db_url = os.environ.get(KB_DB_URL_ENV)
        knowledge = BackgroundKnowledge(db_url) if db_url else None
        if knowledge is not None:
            knowledge.start()
        return cls(config, knowledge)

    def _unanswered(self, intent: dict[str, Any], lookup: Lookup) -> bool:
        """Whether a question (faq) gets no answer: at most suggestions ("您是想问：").

        As ``action_answer_knowledge`` decides: a question the NLU is sure of is also
        answered with the clearly best entry.
        """
        if intent.get(INTENT_NAME_KEY) != QUESTION_INTENT or lookup.decision == "answer":
            return False
        sure = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= SURE_QUESTION
        return self.knowledge is None or not self.knowledge.live.thresholds.clearly_best(
            lookup.hits, question=sure
        )

    def process(self, messages: list[Message]) -> list[Message]:
        """Lets the knowledge base decide the messages it may answer (:func:`gated`)."""
        if self.knowledge is None:
            return messages
        for message in messages:
            intent = message.data.get(INTENT) or {}
            if not may_be_question(
                message.data, self.questions_from, self.policy, self.small_talk_from
            ):
                continue
            rules = asked_about_the_rules(message.data, self.policy)
            named = named_entry(message.data, self.policy)
            text = new_matter(str(message.get(TEXT)))
            lookup = self.knowledge.lookup(text, k=2, rules=rules, named=named)
            if lookup is None:  # the index is not built yet
                continue
            if rules:
                message.set(RULES_QUESTION_KEY, True, add_to_output=True)
            if named:
                message.set(NAMED_ENTRY_KEY, named, add_to_output=True)
            change = gated(
                message.data, lookup, self.questions_from, self.small_talk_from, self.policy
            )
            if self._unanswered(intent, lookup):
                message.set(UNANSWERED_KEY, True, add_to_output=True)
            if change is not None:
                message.data.update(change)
                logger.debug(
                    "Knowledge base (%s) on a message NLU had as %s.", lookup.decision, intent
                )
        return messages
