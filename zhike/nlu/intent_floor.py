"""Acting and small-talk answers only when the bot is sure what was asked for.

The ResponseSelector always picks *some* small-talk answer, and DIET is often sure that a
message is small talk without the selector being sure which one. An answer picked that
way is the confident wrong answer customers hate: "基金最近能买吗" answered with the
weather joke. This component, after the FallbackClassifier, turns such a message into
``nlu_fallback`` -- the two-stage fallback then asks "您是想咨询下面哪个问题呢？" --
unless both the intent and the selected answer clear a floor. A floor without a
``response`` part (``faq``: questions answered from the knowledge base, whose own score
decides) checks the intent's confidence only.

Requests to act (``requests``: every intent of
:data:`zhike.common.topic_names.BUSINESS_INTENTS`) need a higher confidence than the
FallbackClassifier's: real customers' questions the robot has no flow for ("怎么回收面单呢",
"APP下载地址?") come out of DIET as a business intent at 0.5–0.7 and started the wrong
flow. Below the floor the customer is asked "您是想咨询下面哪个问题呢？" with that request
among the buttons: one click more for an unsure request, never a wrong flow. Measured on
the labelled JD.com customer turns (``make bench-nlu``): a floor of 0.7 cuts confident-wrong
turns from 30% to 20% for 3 points of handled-right; held-out accuracy with the fallback
counted wrong drops from 0.864 to 0.851. Inside a form the form still reads the message.

Yes and no (``yes_no: true``) must be said in words of yes or no
(:func:`zhike.common.confirmations.sounds_like_yes_or_no`): DIET took song titles ("催眠曲",
"一无所有") for ``affirm`` and ``deny``; such a message becomes ``nlu_fallback``, and a
yes read as no ("不行" as ``affirm``) or a no read as yes becomes the other. A message
that only says the customer understood ("好的明白了", "知道了") is ``affirm`` whatever DIET
made of it (``thank`` stays): it used to be a fallback, and two in a row a handoff. One
that only drops the matter ("算了 先不退了 我再想想") is ``deny`` (``goodbye`` stays). One
that only thanks, maybe whom it thanks ("谢谢客服小姐姐", DIET: a person), is ``thank``;
one that only greets ("在线吗客服", DIET: a question) is ``greet``.

A request that names the customer's order, parcel or ticket ("申请价保 HP20241001") is
kept from ``anchored.floor`` on when DIET prefers it over every other intent by
``anchored.margin`` (:mod:`zhike.nlu.anchors`): the number takes most of such a short
message and leaves DIET half sure of an obvious request.

A bare urge read as another domain ("都一个星期了": ``out_of_scope``, sure) is asked about:
it is slow about what the robot has just shown (the refund's progress), which the fallback
reads in context.

Small talk, a greeting or "are you a robot?" (``off_topic``) that mentions a business word
(:mod:`zhike.nlu.business_terms`: 订单, 退款, 发票, 课 …) is a request DIET did not
understand: "新机有贴膜吗" is asked about, not answered with the weather.

A small-talk answer must be about what the message says (``small_talk: true``,
:mod:`zhike.nlu.small_talk`): the selector answered song titles with "how are you" and
insults; a topic whose words the message lacks is asked about.

"是人工还是自动回复" asks what the robot is (``bot_challenge``), not for a person.

A call for a person names one (``persons: true``: 人工, 客服, 真人, 经理, 机器 …): DIET
took "我想找个对象" for one, and an agent would have been called; such a message is
asked about.

A message in another domain's words (``elsewhere: true``, :mod:`zhike.nlu.other_domains`:
航班, 限行, 彩票 …) that names no business word, order, parcel or ticket is out of scope:
"北京到天津开车要多久" was a delivery time.

``config.yml`` (floors per retrieval intent; the defaults are measured on the held-out
set and the out-of-scope corpus, see ``bench/nlu``)::

    - name: zhike.nlu.intent_floor.IntentFloor
      floors:
        faq: {intent: 0.5}
        chitchat: {intent: 0.5, response: 0.3}
      requests: 0.7
      anchored: {floor: 0.5, margin: 0.3}
      off_topic: [chitchat, greet, bot_challenge]
      yes_no: true
      small_talk: true
      persons: true
      elsewhere: true
"""

from __future__ import annotations

import logging
import re
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

from zhike.common.confirmations import (
    is_acknowledgement,
    is_greeting,
    is_never_mind,
    is_thanks,
    parse_confirmation,
    sounds_like_yes_or_no,
)
from zhike.common.topic_names import BUSINESS_INTENTS, OUT_OF_SCOPE
from zhike.common.urges import urges_only
from zhike.nlu.anchors import anchored_request, names_a_thing
from zhike.nlu.business_terms import BusinessTerms
from zhike.nlu.other_domains import ELSEWHERE_KEY, OtherDomains
from zhike.nlu.small_talk import SmallTalkTopics

logger = logging.getLogger(__name__)

AFFIRM, DENY, THANK, GOODBYE, GREET = "affirm", "deny", "thank", "goodbye", "greet"
YES_NO = {AFFIRM: True, DENY: False}
DEFAULT_FLOORS: dict[str, dict[str, float]] = {
    "faq": {"intent": 0.5},
    "chitchat": {"intent": 0.5, "response": 0.3},
}
# A request naming an order/parcel/ticket number keeps its intent from this confidence on
# when it beats every other intent by the margin (zhike.nlu.anchors).
DEFAULT_ANCHORED = {"floor": 0.5, "margin": 0.3}
# Words of a call for a person ("转人工", "找客服", "我不想跟机器聊了", "zhuanrengong").
PERSON = re.compile(
    r"人|客服|转|经理|主管|专员|小姐姐|小哥|接线|领导|负责|机器|ren\s*gong|ke\s*fu", re.I
)
HANDOFF = "human_handoff"
BOT_CHALLENGE = "bot_challenge"
# "是人工还是自动回复", "你是真人还是机器人": which of the two it is, not a call for a person
_PERSON_OR_MACHINE = r"人工|真人|活人|人"
_MACHINE = r"机器人?|自动回复|自动|ai|程序|电脑"
WHICH_IT_IS = re.compile(
    rf"(?:{_PERSON_OR_MACHINE})还是(?:{_MACHINE})|(?:{_MACHINE})还是(?:{_PERSON_OR_MACHINE})"
    r"|(?:是不是|是)自动回复",
    re.I,
)
# Left as they are in another domain's words: a person asked for, thanks, a goodbye.
NOT_ELSEWHERE = frozenset({OUT_OF_SCOPE, HANDOFF, THANK, GOODBYE})
# Small talk, greetings and "are you a robot?" never mention an order or a refund.
DEFAULT_OFF_TOPIC = ["chitchat", "greet", "bot_challenge"]


def _selected(data: dict[str, Any], intent: str) -> dict[str, Any]:
    selector = data.get("response_selector") or {}
    picked = selector.get(intent) or selector.get("default") or {}
    return picked.get("response") or {}


def selected_confidence(data: dict[str, Any], intent: str) -> float:
    """The confidence of the answer the ResponseSelector picked for ``intent``."""
    return float(_selected(data, intent).get("confidence") or 0.0)


def selected_key(data: dict[str, Any], intent: str) -> str | None:
    """The ``intent/topic`` key of the answer the ResponseSelector picked for ``intent``."""
    key = _selected(data, intent).get("intent_response_key")
    return str(key) if key else None


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
class IntentFloor(GraphComponent, IntentClassifier):
    """Turns unsure requests and small-talk predictions into ``nlu_fallback``."""

    @classmethod
    def required_components(cls) -> list[type]:
        """After the intent classifiers (and the ResponseSelector)."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """:data:`DEFAULT_FLOORS`; no floor of its own for requests."""
        return {
            "floors": DEFAULT_FLOORS,
            "requests": None,
            "anchored": DEFAULT_ANCHORED,
            "off_topic": DEFAULT_OFF_TOPIC,
            "yes_no": False,
            "small_talk": True,
            "persons": True,
            "elsewhere": True,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.floors: dict[str, dict[str, float]] = dict(config.get("floors") or DEFAULT_FLOORS)
        requests = config.get("requests")
        if requests is not None:
            for name in BUSINESS_INTENTS:
                self.floors.setdefault(name, {"intent": float(requests)})
        anchored = config.get("anchored")
        self.anchored: dict[str, float] | None = (
            {"floor": float(anchored["floor"]), "margin": float(anchored["margin"])}
            if anchored
            else None
        )
        self.off_topic = frozenset(config.get("off_topic") or ())
        # on unless switched off (models trained before the setting existed too)
        self.other_domains = OtherDomains.load() if config.get("elsewhere", True) else None
        needs_terms = self.off_topic or self.other_domains is not None
        self.business_terms = BusinessTerms.load() if needs_terms else None
        self.yes_no = bool(config.get("yes_no"))
        # on unless switched off (models trained before the setting existed too)
        self.small_talk = SmallTalkTopics.load() if config.get("small_talk", True) else None
        self.persons = bool(config.get("persons", True))  # on for older models too

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentFloor:
        """See the parent class."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Marks each too-unsure message as ``nlu_fallback``; corrects yes and no.

        The fallback's confidence is the intent's own, and the original ranking stays
        below it, so the clarification can offer the likely questions as buttons.
        """
        for message in messages:
            intent = message.data.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if self.yes_no and is_acknowledgement(message.get(TEXT)):
                if name not in (AFFIRM, THANK):  # "好的明白了": no request, no fallback
                    _set_intent(message, AFFIRM, intent)
                continue
            if self.yes_no and is_never_mind(message.get(TEXT)):
                if name not in (DENY, GOODBYE):  # "算了 先不退了 我再想想": a no
                    _set_intent(message, DENY, intent)
                continue
            if self.yes_no and is_greeting(message.get(TEXT)):
                if name != GREET:  # "在线吗客服": hello, not a question for the knowledge base
                    _set_intent(message, GREET, intent)
                continue
            if self.yes_no and is_thanks(message.get(TEXT)):
                if name != THANK:  # "谢谢客服小姐姐": thanks, not a wish for a person
                    _set_intent(message, THANK, intent)
                continue
            if self.yes_no and name in YES_NO:
                said = parse_confirmation(message.get(TEXT))
                if said is not None and YES_NO[name] != said:
                    _set_intent(message, AFFIRM if said else DENY, intent)
                elif not sounds_like_yes_or_no(message.get(TEXT)):
                    _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
                continue
            if name == OUT_OF_SCOPE and urges_only(str(message.get(TEXT) or "")):
                # "都一个星期了": slow about what was just shown, not another domain
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
                continue
            domain = self._elsewhere(message.data, name)
            if domain is not None:
                logger.debug("Another domain's words (%s) and no business: out of scope.", domain)
                message.set(ELSEWHERE_KEY, {"domain": domain, "was": dict(intent)}, True)
                _set_intent(message, OUT_OF_SCOPE, intent)
                continue
            if self._talks_business(name, message.get(TEXT)):
                logger.debug("A %s that talks business: asking instead.", name)
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
                continue
            if name == HANDOFF and WHICH_IT_IS.search(str(message.get(TEXT) or "")):
                _set_intent(message, BOT_CHALLENGE, intent)  # "是人工还是自动回复"
                continue
            if self._no_person_named(name, message.get(TEXT)):
                logger.debug("A call for a person that names none: asking instead.")
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
                continue
            if self._off_the_topic(message.data, name):
                logger.debug("Small talk about something else: asking instead.")
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
                continue
            if below_floor(message.data, self.floors):
                if self._anchored(message.data, name):
                    continue
                logger.debug("Unsure %s: asking instead.", name)
                _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, intent)
        return messages

    def _talks_business(self, name: Any, text: Any) -> bool:
        """Whether small talk (or a greeting …) mentions a business word."""
        if self.business_terms is None or name not in self.off_topic:
            return False
        return self.business_terms.mentioned(str(text or "")) is not None

    def _elsewhere(self, data: dict[str, Any], name: Any) -> str | None:
        """The other domain a message speaks of, when it speaks of no business of the customer's."""
        text = str(data.get(TEXT) or "")
        if self.other_domains is None or self.business_terms is None or name in NOT_ELSEWHERE:
            return None
        if text.startswith("/") or names_a_thing(data) or self.business_terms.mentioned(text):
            return None
        return self.other_domains.named(text)

    def _no_person_named(self, name: Any, text: Any) -> bool:
        """Whether a call for a person names none (a button's payload names its intent)."""
        said = str(text or "")
        if not self.persons or name != HANDOFF or said.startswith("/"):
            return False
        return PERSON.search(said) is None

    def _off_the_topic(self, data: dict[str, Any], name: Any) -> bool:
        """Whether the small-talk answer picked is about words the message does not say."""
        if self.small_talk is None or name != "chitchat":
            return False
        return not self.small_talk.fits(selected_key(data, "chitchat"), data.get(TEXT))

    def _anchored(self, data: dict[str, Any], name: Any) -> bool:
        """Whether an unsure request names the customer's order/parcel/ticket clearly enough."""
        if self.anchored is None or name not in BUSINESS_INTENTS:
            return False
        return anchored_request(data, **self.anchored) == name


def _set_intent(message: Message, name: str, was: dict[str, Any]) -> None:
    """Puts ``name`` on top with the old intent's confidence, the old ranking below."""
    top = {
        INTENT_NAME_KEY: name,
        PREDICTED_CONFIDENCE_KEY: float(was.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
    }
    message.data[INTENT] = top
    message.data.setdefault(INTENT_RANKING_KEY, [])
    message.data[INTENT_RANKING_KEY].insert(0, dict(top))
