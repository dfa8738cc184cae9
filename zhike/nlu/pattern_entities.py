"""Entities found by the regexes of the training data, with no annotated examples needed.

Nothing is found inside the fields of a pasted order card (:mod:`zhike.nlu.order_cards`):
its order time is no date the customer asks about, and an extra ``date`` entity kept the
rule "a bare order number starts an order lookup" from matching a pasted card.
"""

from __future__ import annotations

import re
from typing import Any

import rasa.nlu.utils.pattern_utils as pattern_utils
import rasa.shared.utils.io
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.shared.nlu.constants import (
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.nlu.order_cards import card_spans

# Full-width ASCII (ＨＰ２０２４…, typed with a Chinese IME) folded to half-width one
# character for one character, so match offsets still point into the original text.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20


def fold_width(text: str) -> str:
    """Returns ``text`` with full-width ASCII characters replaced by half-width ones."""
    return text.translate(_FULL_WIDTH)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PatternEntityExtractor(RegexEntityExtractor):
    """Extracts the entities listed in ``entities`` with the regexes of the same name.

    Rasa's ``RegexEntityExtractor`` uses a regex only when some training example
    annotates its entity, which would also make DIET learn (and extract a second time)
    exact formats such as order numbers. This extractor instead takes every regex whose
    name is in its ``entities`` option, so designers leave those values unannotated and
    exactly one component extracts them. Full-width digits and letters match too; the
    entity value is the half-width text.

    Config:
        entities: names of the regexes (= entity names) to extract. Required.
        case_sensitive: match case-sensitively (default ``False``).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """See the parent class."""
        return {
            **RegexEntityExtractor.get_default_config(),
            "entities": [],
            "use_lookup_tables": False,
            "use_word_boundaries": False,
        }

    def train(self, training_data: TrainingData) -> Resource:
        """Keeps the regexes named in ``entities``; warns about names without a regex."""
        wanted = set(self._config["entities"])
        patterns = pattern_utils.extract_patterns(
            training_data,
            use_lookup_tables=False,
            use_regexes=True,
            use_only_entities=False,
            use_word_boundaries=False,
        )
        self.patterns = [p for p in patterns if p["name"] in wanted]
        missing = wanted - {p["name"] for p in self.patterns}
        if missing:
            rasa.shared.utils.io.raise_warning(
                f"PatternEntityExtractor: no regex in the training data for {sorted(missing)}."
            )
        self.persist()
        return self._resource

    def _extract_entities(self, message: Message) -> list[dict[str, Any]]:
        text = fold_width(message.get(TEXT) or "")
        flags = 0 if self.case_sensitive else re.IGNORECASE
        entities = []
        fields = card_spans(text)
        for pattern in self.patterns:
            for match in re.finditer(pattern["pattern"], text, flags=flags):
                if any(start <= match.start() and match.end() <= end for start, end in fields):
                    continue
                entities.append(
                    {
                        ENTITY_ATTRIBUTE_TYPE: pattern["name"],
                        ENTITY_ATTRIBUTE_START: match.start(),
                        ENTITY_ATTRIBUTE_END: match.end(),
                        ENTITY_ATTRIBUTE_VALUE: match.group(0),
                    }
                )
        return entities
