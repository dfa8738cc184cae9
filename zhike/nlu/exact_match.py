"""A message that is exactly a training example gets that example's intent.

DIET generalises, and a retrained model may move a short, common message across a
border: "你好" taken as the small talk "你好吗" on one machine and as a greeting on
another. What designers wrote down as an example of an intent is not a guess, so this
component, last in the pipeline, gives a message equal to one of them (ignoring case,
width, spaces, punctuation and emoji) that intent with confidence 1.0. Texts that
appear under two intents, retrieval examples (faq/*, chitchat/*: the ResponseSelector
answers those) and examples with entities are left to the model.

``config.yml``::

    - name: zhike.nlu.exact_match.ExactMatchClassifier
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
FILE = "exact_examples.json"


def match_key(text: Any) -> str:
    """``text`` folded for comparison: NFKC, lower case, no spaces, punctuation or emoji."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PSZCM")


def unambiguous_examples(training_data: TrainingData) -> dict[str, str]:
    """Folded example text -> intent, for plain examples found under one intent only."""
    seen: dict[str, set[str]] = {}
    for example in training_data.intent_examples:
        intent = example.get(INTENT)
        if not intent or example.get(INTENT_RESPONSE_KEY) or example.get(ENTITIES):
            continue
        key = match_key(example.get(TEXT))
        if key:
            seen.setdefault(key, set()).add(str(intent))
    # Retrieval intents ("faq") may share a text with a plain one: that text is ambiguous.
    for example in training_data.intent_examples:
        if example.get(INTENT_RESPONSE_KEY):
            key = match_key(example.get(TEXT))
            if key in seen:
                seen[key].add(str(example.get(INTENT)))
    return {key: next(iter(intents)) for key, intents in seen.items() if len(intents) == 1}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ExactMatchClassifier(GraphComponent, IntentClassifier):
    """Sets the intent of a message equal to a training example (see the module)."""

    @classmethod
    def required_components(cls) -> list[type]:
        """None: it only needs the text (put it last in the pipeline to have the last word)."""
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options."""
        return {}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        examples: dict[str, str] | None = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.examples = examples or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExactMatchClassifier:
        """See the parent class."""
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ExactMatchClassifier:
        """Reads the examples kept by :meth:`train` (none if there is nothing stored)."""
        try:
            with model_storage.read_from(resource) as directory:
                examples = json.loads((directory / FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            logger.debug("ExactMatchClassifier: no stored examples.")
            examples = {}
        return cls(model_storage, resource, examples)

    def train(self, training_data: TrainingData) -> Resource:
        """Keeps the unambiguous examples (:func:`unambiguous_examples`)."""
        self.examples = unambiguous_examples(training_data)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE).write_text(
                json.dumps(self.examples, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Gives an exact example its intent, with confidence 1.0, at the top of the ranking."""
        for message in messages:
            intent = self.examples.get(match_key(message.get(TEXT)))
            if intent is None:
                continue
            chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) != intent
            ]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(chosen), *ranking], add_to_output=True)
        return messages
