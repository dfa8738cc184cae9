"""A second opinion on DIET's intent: when a different kind of model disagrees, ask.

DIET is often sure of the wrong intent on real customers' messages: on the labelled
JD.com customer turns (``make bench-nlu``) most confident-wrong answers came with a DIET
confidence above 0.8, so no threshold on its confidence separates them from the right
ones. A second model trained on the same examples but built differently
(:mod:`zhike.nlu.linear_model`: TF-IDF over words and characters, logistic regression)
errs on other messages. Where the two agree the intent stands; where the second model's
best intent is another one, the message becomes ``nlu_fallback`` and the two-stage
fallback asks "您是想咨询下面哪个问题呢？" with both intents as buttons: one click more for
the customer, instead of a wrong flow. Of the two, the one likelier by the average of
both models' probabilities is offered first; that is also the "best intent" `rasa test
nlu` counts. A message already declined gets its options in that order as well. The
linear model's best intent is in the parse result as ``second_opinion``.

Where the linear model is the one that says "another domain" (``out_of_scope``, from the
``out_of_scope`` probability on) and the message names no business word nor an order,
parcel or ticket number, the message is out of scope: "最近有啥热搜" and "怎么养多肉植物",
which DIET took for the order list and a question about the shop, get "这个我帮不上"
instead of buttons for requests nobody made.

Put it after the FallbackClassifier and :mod:`zhike.nlu.intent_floor` (a message already
declined stays so) and before :mod:`zhike.nlu.exact_match` (a training example typed
again keeps its intent)::

    - name: zhike.nlu.second_opinion.SecondOpinion
      strength: 10          # the logistic regression's C
      exempt: [human_handoff, out_of_scope]
      out_of_scope: 0.45    # the linear model's "another domain" stands (null: never)
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.common.confirmations import is_acknowledgement, is_never_mind
from zhike.common.topic_names import OUT_OF_SCOPE, OVERRULED_KEY, SECOND_OPINION_KEY
from zhike.common.urges import FILLER, urges_only
from zhike.nlu.anchors import names_a_thing
from zhike.nlu.business_terms import BusinessTerms
from zhike.nlu.linear_model import LinearIntentModel, train
from zhike.nlu.ranking import put_first

logger = logging.getLogger(__name__)

# A customer asking for a person is never asked "did you mean"; declined messages stay so.
FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME
# The linear model's best intent, in the parse result (``/model/parse``, the tracker's
# ``parse_data``): {"name": ..., "confidence": ...}, and "overruled": DIET's intent when
# the message became nlu_fallback for it (zhike/dialogue/follow_up_policy.py reads it).
SECOND_OPINION = SECOND_OPINION_KEY
DEFAULT_EXEMPT = ["human_handoff", "out_of_scope"]
AFFIRM, DENY = "affirm", "deny"
# Characters a message says beyond filler words before it can be another domain.
OWN_WORDS = 4


def words_of(message: Message) -> list[str]:
    """The message's words as the featurizers see them (token lemmas), else its characters."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if tokens:
        return [str(token.lemma or token.text) for token in tokens]
    return [char for char in str(message.get(TEXT) or "") if not char.isspace()]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(GraphComponent, IntentClassifier):
    """Turns an intent the linear model does not agree with into ``nlu_fallback``."""

    @classmethod
    def required_components(cls) -> list[type]:
        """None: it trains beside DIET (put it after the classifiers to judge their intent)."""
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Regularisation of the linear model and the intents never second-guessed."""
        return {"strength": 10.0, "exempt": DEFAULT_EXEMPT, "out_of_scope": None}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearIntentModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.exempt = frozenset(self._config["exempt"] or ())
        sure = self._config.get("out_of_scope")
        self.out_of_scope = float(sure) if sure is not None else None
        self.business_terms = BusinessTerms.load() if sure is not None else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondOpinion:
        """See the parent class."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondOpinion:
        """Reads the model :meth:`train` stored (without one it leaves every intent alone)."""
        try:
            with model_storage.read_from(resource) as directory:
                model: LinearIntentModel | None = LinearIntentModel.load(directory)
        except (ValueError, OSError, KeyError):
            logger.debug("SecondOpinion: no stored model, no second opinion.")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the linear model on the intent examples (faq/chitchat by their answer key)."""
        examples = [
            (words_of(example), str(example.get_full_intent()))
            for example in training_data.intent_examples
            if example.get(TEXT)
        ]
        try:
            self.model = train(examples, float(self._config["strength"]))
        except ValueError as error:
            logger.warning("SecondOpinion: %s; no second opinion.", error)
            return self._resource
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Asks about each message whose intent the linear model ranks below another one.

        Where the two models disagree, the likelier of their two intents (the average of
        their probabilities) comes first among the options, for a message asked about
        anyway (``nlu_fallback``) too: the first button is then the better guess.
        """
        if self.model is None:
            return messages
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            # a declined message is never exempt: its options get ordered
            if not name or (name != FALLBACK and name in self.exempt):
                continue
            if name == AFFIRM and is_acknowledgement(message.get(TEXT)):
                continue  # "好的明白了": affirm by the intent floor's rule, not DIET's guess
            if name == DENY and is_never_mind(message.get(TEXT)):
                continue  # "算了 我再想想": deny by the intent floor's rule
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            diet = _confidences(ranking)
            guess = name if name != FALLBACK else next(iter(diet), None)
            if guess is None:
                continue
            opinions = self.model.intent_probabilities(words_of(message))
            other = max(opinions, key=opinions.__getitem__)
            view = {INTENT_NAME_KEY: other, PREDICTED_CONFIDENCE_KEY: round(opinions[other], 4)}
            if other != guess and name != FALLBACK:
                view[OVERRULED_KEY] = name
            message.set(SECOND_OPINION, view, add_to_output=True)
            if other == guess:
                continue
            if self._out_of_scope(message, other, opinions[other]):
                logger.debug("DIET said %s, the linear model another domain.", guess)
                put_first(message, OUT_OF_SCOPE, opinions[other])
                continue
            logger.debug("DIET said %s, the linear model %s: asking.", guess, other)
            mean = {
                candidate: (diet.get(candidate, 0.0) + opinions.get(candidate, 0.0)) / 2
                for candidate in (guess, other)
            }
            first, second = sorted((guess, other), key=lambda c: -mean[c])
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            _ask_about(message, confidence, ranking, (first, second))
        return messages

    def _out_of_scope(self, message: Message, other: str, probability: float) -> bool:
        """Whether the linear model's "another domain" stands: sure, no business named."""
        if self.out_of_scope is None or self.business_terms is None or other != OUT_OF_SCOPE:
            return False
        if probability < self.out_of_scope or names_a_thing(message.data):
            return False
        text = str(message.get(TEXT) or "")
        if self.business_terms.mentioned(text) is not None:
            return False
        # "都一个星期了", "那怎么办呢": about what was just shown, read in context
        return not urges_only(text) and len(FILLER.sub("", text)) >= OWN_WORDS


def _confidences(ranking: list[dict[str, Any]]) -> dict[str, float]:
    """DIET's confidence per intent, best first (the fallback left out)."""
    return {
        str(entry[INTENT_NAME_KEY]): float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        for entry in ranking
        if entry.get(INTENT_NAME_KEY) and entry.get(INTENT_NAME_KEY) != FALLBACK
    }


def _ask_about(
    message: Message,
    confidence: float,
    ranking: list[dict[str, Any]],
    options: tuple[str, str],
) -> None:
    """``nlu_fallback`` on top, then the two options in order, then the rest of the ranking."""
    placed = [
        next(
            (entry for entry in ranking if entry.get(INTENT_NAME_KEY) == option),
            {INTENT_NAME_KEY: option, PREDICTED_CONFIDENCE_KEY: 0.0},
        )
        for option in options
    ]
    rest = [entry for entry in ranking if entry.get(INTENT_NAME_KEY) not in {*options, FALLBACK}]
    fallback = {INTENT_NAME_KEY: FALLBACK, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, fallback, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(fallback), *map(dict, placed), *rest], add_to_output=True)
