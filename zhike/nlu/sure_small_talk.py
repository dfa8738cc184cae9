"""Small talk the answer selector is sure of, in its topic's words, is small talk.

DIET took "说个笑话给我听" and "讲点有趣的" for another domain (out of scope, 1.00), while
the ResponseSelector, which ranks every FAQ and small-talk answer, was sure of the joke
(1.00), and the message says that topic's words (:file:`small_talk.yml`). Such a message
gets the small-talk answer instead of "这个我帮不上" or "您是想咨询…" when:

* DIET's best intent is no request (a question, another domain, a greeting, a goodbye);
* the selector is sure of a topic whose words tell small talk from anything else
  (``topics``: a joke, praise, an insult; "how are you" is said in words questions use
  too) and the message says them;
* it asks for no song or story (``unless``: "我要听可爱的麻雀" is a song);
* it names no business word (:file:`business_terms.yml`) nor an order, parcel or ticket.

The knowledge base's gate, after this, still answers small talk in an entry's own words.

``config.yml`` (after the frames, before the exact examples and the gate)::

    - name: zhike.nlu.sure_small_talk.SureSmallTalk
      confidence: 0.9
      topics: [tell_joke, praise, insult]
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.anchors import names_a_thing, ranked_intents
from zhike.nlu.business_terms import BusinessTerms
from zhike.nlu.intent_floor import selected_confidence, selected_key
from zhike.nlu.ranking import put_first
from zhike.nlu.small_talk import SmallTalkTopics

CHITCHAT = "chitchat"
# DIET's best intents small talk may stand in for: none of them acts on anything.
DEFAULT_FROM = ["faq", "out_of_scope", "greet", "goodbye"]
DEFAULT_CONFIDENCE = 0.9
# Topics whose words tell small talk from anything else. "How are you" is said in words
# questions use too (好不, 休息: "明天天气好不好", "客服周末休息吗").
DEFAULT_TOPICS = ["tell_joke", "praise", "insult"]
# A song or a story asked for ("我要听可爱的麻雀", "唱一首笑话"): another domain whatever
# its title says (make bench-nlu, CAIS).
DEFAULT_UNLESS = r"(?:要|想|来|放)听|听听|唱|播|放(?:一|个|首|段|点)|歌|曲"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SureSmallTalk(GraphComponent):
    """Makes a message the selector is sure is small talk, in that topic's words, ``chitchat``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The selector's confidence, DIET's intents it overrules, telling topics, exceptions."""
        return {
            "confidence": DEFAULT_CONFIDENCE,
            "from": DEFAULT_FROM,
            "topics": DEFAULT_TOPICS,
            "unless": DEFAULT_UNLESS,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.confidence = float(config.get("confidence", DEFAULT_CONFIDENCE))
        self.overruled = frozenset(config.get("from") or DEFAULT_FROM)
        self.telling = frozenset(f"{CHITCHAT}/{topic}" for topic in config.get("topics") or ())
        self.unless = re.compile(config["unless"]) if config.get("unless") else None
        self.topics = SmallTalkTopics.load()
        self.business_terms = BusinessTerms.load()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SureSmallTalk:
        """See the parent class."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: list[Message]) -> list[Message]:
        """Puts ``chitchat`` on top of each message that is surely small talk."""
        for message in messages:
            if self.is_small_talk(message.data):
                put_first(message, CHITCHAT, selected_confidence(message.data, CHITCHAT))
        return messages

    def is_small_talk(self, data: dict[str, Any]) -> bool:
        """Whether a parsed message (Rasa's parse keys) is surely small talk."""
        text = str(data.get(TEXT) or "")
        if not text or text.startswith("/") or best_intent(data) not in self.overruled:
            return False
        key = selected_key(data, CHITCHAT)
        if key not in self.telling:
            return False
        if selected_confidence(data, CHITCHAT) < self.confidence:
            return False
        if not self.topics.names(key, text) or names_a_thing(data):
            return False
        if self.unless is not None and self.unless.search(text):
            return False
        return self.business_terms.mentioned(text) is None


def best_intent(data: dict[str, Any]) -> str | None:
    """The message's intent, or for a declined one the best intent of its ranking."""
    name = (data.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if name != DEFAULT_NLU_FALLBACK_INTENT_NAME:
        return str(name) if name else None
    ranked = ranked_intents(data)
    return ranked[0][0] if ranked else None
