"""Small-talk answers only when the bot is sure which answer was asked for.

The ResponseSelector always picks *some* small-talk answer, and DIET is often sure that a
message is small talk without the selector being sure which one. An answer picked that
way is the confident wrong answer customers hate: "基金最近能买吗" answered with the
weather joke. This component, after the FallbackClassifier, turns such a message into
``nlu_fallback`` -- the two-stage fallback then asks "您是想咨询下面哪个问题呢？" --
unless both the intent and the selected answer clear a floor. A floor without a
``response`` part (``faq``: questions answered from the knowledge base, whose own score
decides) checks the intent's confidence only.

``config.yml`` (floors per retrieval intent; the defaults are measured on the held-out
set and the out-of-scope corpus, see ``bench/nlu``)::

    - name: zhike.nlu.retrieval_floor.RetrievalFloor
      floors:
        faq: {intent: 0.5}
        chitchat: {intent: 0.5, response: 0.3}
"""

from __future__ import annotations

import logging
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
)
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

DEFAULT_FLOORS: dict[str, dict[str, float]] = {
    "faq": {"intent": 0.5},
    "chitchat": {"intent": 0.5, "response": 0.3},
}


def selected_confidence(data: dict[str, Any], intent: str) -> float:
    """The confidence of the answer the ResponseSelector picked for ``intent``."""
    selector = data.get("response_selector") or {}
    picked = selector.get(intent) or selector.get("default") or {}
    return float((picked.get("response") or {}).get("confidence") or 0.0)


def below_floor(data: dict[str, Any], floors: dict[str, dict[str, float]]) -> bool:
    """Whether a parsed message's FAQ/small-talk answer is too unsure to be given."""
    intent = data.get(INTENT) or {}
    name = intent.get(INTENT_NAME_KEY)
    floor = floors.get(str(name))
    if not floor:
        return False
    if float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < float(floor.get("intent", 0.0)):
        return True
    if "response" not in floor:
        return False
    return selected_confidence(data, str(name)) < float(floor["response"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RetrievalFloor(GraphComponent, IntentClassifier):
    """Turns unsure FAQ/small-talk predictions into ``nlu_fallback``."""

    @classmethod
    def required_components(cls) -> list[type]:
        """After the intent classifiers (and the ResponseSelector)."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """:data:`DEFAULT_FLOORS`."""
        return {"floors": DEFAULT_FLOORS}

    def __init__(self, config: dict[str, Any]) -> None:
        self.floors: dict[str, dict[str, float]] = dict(config.get("floors") or DEFAULT_FLOORS)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RetrievalFloor:
        """See the parent class."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Marks each too-unsure FAQ/small-talk message as ``nlu_fallback``.

        The fallback's confidence is the intent's own, and the original ranking stays
        below it, so the clarification can offer the likely questions as buttons.
        """
        for message in messages:
            if not below_floor(message.data, self.floors):
                continue
            intent = message.data[INTENT]
            logger.debug("Unsure %s answer: asking instead.", intent.get(INTENT_NAME_KEY))
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
            }
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
        return messages
