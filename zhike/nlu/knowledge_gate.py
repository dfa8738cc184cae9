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
with the policy.

The gate is on only where the knowledge base is configured: ``ZHIKE_KB_DB_URL`` set (the
stack sets it for the Rasa server). Without it (``rasa test nlu``, benchmarks of DIET
alone) messages pass through unchanged.

``config.yml``::

    - name: zhike.nlu.knowledge_gate.KnowledgeGate
      questions_from: [nlu_fallback, out_of_scope, faq]
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
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from zhike.lib.kb.background import BackgroundKnowledge
from zhike.lib.kb.settings import ENV_VAR as KB_DB_URL_ENV
from zhike.nlu.anchors import unsure_anchored_request

logger = logging.getLogger(__name__)

QUESTION_INTENT = "faq"
DEFAULT_QUESTIONS_FROM = ["nlu_fallback", "out_of_scope", QUESTION_INTENT]


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
        return {"questions_from": DEFAULT_QUESTIONS_FROM}

    def __init__(self, config: dict[str, Any], knowledge: BackgroundKnowledge | None) -> None:
        self.questions_from = frozenset(config.get("questions_from") or DEFAULT_QUESTIONS_FROM)
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

    def process(self, messages: list[Message]) -> list[Message]:
        """Turns each answerable message of ``questions_from`` into ``faq``."""
        if self.knowledge is None:
            return messages
        for message in messages:
            intent = message.data.get(INTENT) or {}
            text = str(message.get(TEXT) or "")
            if intent.get(INTENT_NAME_KEY) not in self.questions_from or not text.strip():
                continue
            if text.startswith("/"):
                continue  # a button's payload names its intent itself
            if unsure_anchored_request(message.data):
                continue  # "申请价保 HP…": offer the request, don't explain the policy
            lookup = self.knowledge.lookup(text, k=1)
            if lookup is None or lookup.decision != "answer":
                continue
            score = lookup.hits[0].score
            question = {INTENT_NAME_KEY: QUESTION_INTENT, PREDICTED_CONFIDENCE_KEY: score}
            ranking = [
                r
                for r in message.data.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) != QUESTION_INTENT
            ]
            message.data[INTENT] = question
            message.data[INTENT_RANKING_KEY] = [dict(question), *ranking]
            logger.debug("Knowledge base answers a message NLU had as %s.", intent)
        return messages
