"""A customer pleased with the goods or the service is thanking (:file:`satisfied.yml`).

"宝贝收到了 质量很好 谢谢" and "衣服质量不错 下次还来" say how good something was, ask
nothing and want nothing changed. DIET, trained on customers with problems, read them as
complaints or nothing at all, and "您是想咨询…" offered 投诉 and 退款. A message in the
words of satisfaction and none of complaint, question or change, that no model took for a
request, a person, a score or a no, is ``thank``; the parse result says why
(:data:`~zhike.common.topic_names.SATISFIED_KEY`) and ``action_youre_welcome`` answers the
praise. The words are data, edited without retraining.

``config.yml`` (after the intent floors and frames, before the knowledge base's gate)::

    - name: zhike.nlu.satisfied.SatisfiedCustomer
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from zhike.common.topic_names import BUSINESS_INTENTS, SATISFIED_KEY
from zhike.nlu.phrases import phrase_pattern

WORDS_FILE = Path(__file__).resolve().parent / "satisfied.yml"
THANK = "thank"
# What a model may have read that the words do not overrule: a request, a person, a
# score of the rating question, a no.
KEPT = frozenset({*BUSINESS_INTENTS, "human_handoff", "rate_service", "deny"})
MAX_LENGTH = 40


class SatisfiedWords:
    """The words of satisfaction (``says``) and of what rules it out (``unless``)."""

    def __init__(self, says: re.Pattern[str], unless: re.Pattern[str] | None) -> None:
        self.says = says
        self.unless = unless

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> SatisfiedWords:
        """Reads ``says`` and ``unless`` (lists of regular expressions) from a YAML file.

        Raises:
            ValueError: no ``says``, or an entry that is no regular expression.
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            says = phrase_pattern(data.get("says") or [])
            unless = phrase_pattern(data.get("unless") or [])
        except re.error as error:
            raise ValueError(f"{path}: no regular expression ({error})") from error
        if says is None:
            raise ValueError(f"{path}: says is empty")
        return cls(says, unless)

    def fits(self, text: str) -> bool:
        """Whether ``text`` is only satisfaction: its words, none that rule it out."""
        if not text or len(text) > MAX_LENGTH or text.startswith("/"):
            return False
        ruled_out = self.unless is not None and self.unless.search(text) is not None
        return self.says.search(text) is not None and not ruled_out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SatisfiedCustomer(GraphComponent):
    """Reads a message of satisfaction alone as thanks (``thank``)."""

    def __init__(self, words: SatisfiedWords) -> None:
        self.words = words

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SatisfiedCustomer:
        """See the parent class (the words are read from :data:`WORDS_FILE`)."""
        return cls(SatisfiedWords.load())

    def process(self, messages: list[Message]) -> list[Message]:
        """Makes each message of satisfaction no model took for a request ``thank``."""
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") in KEPT or not self.words.fits(str(message.get(TEXT) or "")):
                continue
            message.set(INTENT, {"name": THANK, "confidence": 1.0}, add_to_output=True)
            message.set(SATISFIED_KEY, True, add_to_output=True)
        return messages
