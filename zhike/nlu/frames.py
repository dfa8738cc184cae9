"""A request in the words customers use for it: the frames of :file:`frames.yml`.

On real customers' messages DIET and the linear second opinion are often both unsure, or
disagree, about requests whose key words leave no doubt: "请尽快安排配送" (DIET 0.61),
"这个订单可以明天到货吗" (0.32), "我想换个发票抬头可以吗" (taken for the invoice rules).
Such messages were asked "您是想咨询…" with the right request among the buttons. A frame
is the words of one request (``says``) and of its neighbours that rule it out
(``unless``). :class:`FrameMatcher` takes a message that fits exactly one frame as that
request when DIET ranks it among its likeliest intents (``support_rank``) or the linear
model picks it: the words decide between the models' candidates, they never bring in a
request neither model considered. The one exception is a frame marked ``alone`` (a
product question, whose answer says honestly what it cannot tell): it may take a message
both models declined; so may a frame's ``sure`` words ("催单"), which even overrule two
sure models. When DIET takes a message for one request and its words are those
of another, which no model supports ("发票怎么是个人?" taken for a new invoice), neither
is trusted: the message is declined, and the customer asked "您是想咨询…" with both; so
is a message whose words are another request than the one both models are sure of.

Put it after :mod:`zhike.nlu.second_opinion` (it reads its pick) and before
:mod:`zhike.nlu.exact_match` and :mod:`zhike.nlu.knowledge_gate` (a training example
keeps its intent; a request asked as a question about the rules still reaches the
knowledge base)::

    - name: zhike.nlu.frames.FrameMatcher
      support_rank: 3
      exempt: [human_handoff]
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
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from zhike.common.topic_names import (
    ALONE_FRAME_KEY,
    ALSO_KEY,
    BEYOND_KEY,
    BUSINESS_INTENTS,
    CLAUSES_KEY,
    CONTRADICTED_KEY,
    FRAME_KEY,
    QUESTION_INTENT,
    SECOND_OPINION_KEY,
)
from zhike.nlu.also_asked import (
    clause_requests,
    every_clause_a_request,
    first_of_several,
    lookup_first,
    other_than,
    requests_by_clause,
)
from zhike.nlu.anchors import ranked_intents
from zhike.nlu.frame_words import FRAMES_FILE, Frame, Frames

__all__ = ["FRAMES_FILE", "FRAME_KEY", "Frame", "FrameMatcher", "Frames"]

logger = logging.getLogger(__name__)

DEFAULT_EXEMPT = ["human_handoff"]
# What a frame marked ``alone`` may overrule without a model's support: a message declined,
# or taken for a greeting although it asks something ("在么 带数据线么?").
DECLINED = DEFAULT_NLU_FALLBACK_INTENT_NAME
OVERRULED_ALONE = frozenset({DECLINED, "greet"})
# ... and a message taken for an answer that gave nothing ("味道酸吗 https://…/item/….html"
# was inform, with no order number, date or product name in it).
EMPTY_ANSWER = "inform"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FrameMatcher(GraphComponent, IntentClassifier):
    """Takes a message that fits one frame, and that a model finds likely, as its request."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """DIET's top three support a frame; a customer asking for a person stays so."""
        return {"support_rank": 3, "exempt": DEFAULT_EXEMPT}

    def __init__(self, config: dict[str, Any], frames: Frames) -> None:
        config = {**self.get_default_config(), **config}
        self.support_rank = int(config["support_rank"])
        self.exempt = frozenset(config["exempt"] or ())
        self.frames = frames

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FrameMatcher:
        """See the parent class (the frames are read from :data:`FRAMES_FILE`)."""
        return cls(config, Frames.load())

    def process(self, messages: list[Message]) -> list[Message]:
        """Gives each message that fits exactly one supported frame that frame's intent.

        A request the words contradict (one frame fits, unsupported) is declined instead.
        """
        for message in messages:
            name = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            text = str(message.get(TEXT) or "")
            if not name or name in self.exempt or text.startswith("/"):
                continue
            fitting = self.frames.fitting(text)
            if not fitting:
                if self._decline_beyond(message, text) or name != DECLINED:
                    continue
                if not self._take_first_clause(message, text):
                    _offer_clause_request(message, clause_requests(self.frames.fitting, text))
                continue
            several = len(fitting) > 1
            if several:  # "帮我改个收货地址 另外我那个快递到哪了": the first one first
                fitting = first_of_several(self.frames.fitting, text)
            if len(fitting) != 1 or fitting[0] == name:
                continue
            sure = self.frames.sure(fitting[0], text)
            if name == QUESTION_INTENT and self.frames.alone(fitting[0]) and not sure:
                # the knowledge base has its say first (zhike.nlu.knowledge_gate)
                message.set(ALONE_FRAME_KEY, fitting[0], add_to_output=True)
                continue
            alone = _overruled_alone(name, message) and self.frames.alone(fitting[0])
            supported = sure or alone or self._supported(fitting[0], message.data)
            if not supported or (
                not sure and name in BUSINESS_INTENTS and _both_models_sure(message.data, name)
            ):
                if name in BUSINESS_INTENTS and not several:
                    _ask_between(message, name, fitting[0])
                elif name == DECLINED:
                    self._take_first_clause(message, text)
                continue
            logger.debug("%r fits the frame of %s (was %s).", text, fitting[0], name)
            _set_intent(message, fitting[0], list(message.get(INTENT_RANKING_KEY) or []))
        for message in messages:
            self._note_also_asked(message)
        return messages

    def _note_also_asked(self, message: Message) -> None:
        """Records a second request made in the message (:mod:`zhike.nlu.also_asked`).

        A message of several clauses asked about ("您是想咨询…") records the requests its
        clauses make (:data:`CLAUSES_KEY`): once the customer's pick is done, a clause's
        request not picked is offered.
        """
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        text = str(message.get(TEXT) or "")
        if intent == DECLINED and not text.startswith("/"):
            said = requests_by_clause(self.frames.fitting, text)
            if said:
                message.set(CLAUSES_KEY, said, add_to_output=True)
            return
        said = [] if text.startswith("/") else requests_by_clause(self.frames.fitting, text)
        first = lookup_first(said, intent)
        if first is not None:  # "HP20240001到哪了 顺便帮我开个发票": the parcel at once
            _set_intent(message, first[0], list(message.get(INTENT_RANKING_KEY) or []))
            message.set(ALSO_KEY, first[1], add_to_output=True)
            return
        other = other_than(said, intent)
        if other is not None:
            message.set(ALSO_KEY, other, add_to_output=True)

    def _decline_beyond(self, message: Message, text: str) -> bool:
        """Declines a message about a topic the robot does not serve, and names the topic."""
        topic = self.frames.beyond_topic(text)
        if topic is None:
            return False
        logger.debug("%r is about %s, which the robot does not serve.", text, topic.intent)
        _decline(message)
        message.set(BEYOND_KEY, {"topic": topic.intent, "name": topic.name}, add_to_output=True)
        return True

    def _take_first_clause(self, message: Message, text: str) -> bool:
        """Takes a declined message of several requests, one a clause, for the first one.

        "我要退款 HP20240002 还有发票也要开" was unclear to DIET as a whole and got both as
        buttons; each clause is in the words of a request and a model considered one of
        them, so the refund starts and the invoice is offered after it (``also``).
        """
        said = every_clause_a_request(self.frames.fitting, text)
        if not any(self._supported(part["intent"], message.data) for part in said):
            return False
        _set_intent(message, said[0]["intent"], list(message.get(INTENT_RANKING_KEY) or []))
        return True

    def _supported(self, intent: str, data: dict[str, Any]) -> bool:
        """Whether DIET ranks ``intent`` high enough or the linear model picked it."""
        second = data.get(SECOND_OPINION_KEY)
        if isinstance(second, dict) and second.get(INTENT_NAME_KEY) == intent:
            return True
        likeliest = ranked_intents(data)[: self.support_rank]
        return intent in (name for name, _ in likeliest)


def _overruled_alone(name: str, message: Message) -> bool:
    """Whether a frame marked ``alone`` may overrule ``name`` without a model's support."""
    return name in OVERRULED_ALONE or (name == EMPTY_ANSWER and not message.get(ENTITIES))


def _set_intent(message: Message, intent: str, ranking: list[dict[str, Any]]) -> None:
    """``intent`` first, with DIET's own confidence for it; the rest of the ranking after."""
    entry = next(
        (dict(e) for e in ranking if e.get(INTENT_NAME_KEY) == intent),
        {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 0.0},
    )
    rest = [
        dict(e)
        for e in ranking
        if e.get(INTENT_NAME_KEY) not in {intent, DEFAULT_NLU_FALLBACK_INTENT_NAME}
    ]
    message.set(INTENT, dict(entry), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [entry, *rest], add_to_output=True)
    message.set(FRAME_KEY, intent, add_to_output=True)


# DIET's confidence from which, with the linear model agreeing, the words of another
# request do not overrule it: "下错了码数 刚看到申请了退款" (DIET's refund 0.95, the
# linear model's too) was taken for a refund's status by the words 申请了退款.
BOTH_SURE = 0.9


def _both_models_sure(data: dict[str, Any], name: str) -> bool:
    """Whether DIET is sure of ``name`` and the linear model picks it too."""
    intent = data.get(INTENT) or {}
    second = data.get(SECOND_OPINION_KEY)
    return (
        float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= BOTH_SURE
        and isinstance(second, dict)
        and second.get(INTENT_NAME_KEY) == name
    )


def _ask_between(message: Message, name: str, framed: str) -> None:
    """Declines ``name`` for a message in the words of another request, ``framed``.

    "你好，我买的这个显示器，发票怎么是个人?" was taken for a new invoice (DIET 0.84): its
    words are a change of the invoice, which no model considered. Neither is trusted; the
    customer is asked "您是想咨询…" with the model's request first and the words' second.
    """
    _decline(message, (name, framed))
    message.set(CONTRADICTED_KEY, {"intent": name, "framed": framed}, add_to_output=True)


def _offer_clause_request(message: Message, requests: list[str]) -> None:
    """Offers first the request a clause of a declined message is in the words of.

    "空调啥时候到 还有能不能开个发票": the whole fits no frame and DIET ranked only the
    invoice, so "您是想咨询" offered two invoice requests and the parcel was lost; its
    clause is the parcel's, offered first, beside the model's best reading.
    """
    if not requests:
        return
    ranked = [
        str(e.get(INTENT_NAME_KEY))
        for e in message.get(INTENT_RANKING_KEY) or []
        if e.get(INTENT_NAME_KEY) not in (DECLINED, requests[0])
    ]
    _decline(message, (requests[0], *ranked[:1]))


def _decline(message: Message, first: tuple[str, ...] = ()) -> None:
    """Makes the message ``nlu_fallback``, with the intents ``first`` leading the rest."""
    ranking = list(message.get(INTENT_RANKING_KEY) or [])
    confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 1.0)
    declined = {
        INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
        PREDICTED_CONFIDENCE_KEY: confidence,
    }
    leading = [
        next(
            (dict(e) for e in ranking if e.get(INTENT_NAME_KEY) == intent),
            {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 0.0},
        )
        for intent in first
    ]
    rest = [
        dict(e)
        for e in ranking
        if e.get(INTENT_NAME_KEY) not in {*first, DEFAULT_NLU_FALLBACK_INTENT_NAME}
    ]
    message.set(INTENT, declined, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(declined), *leading, *rest], add_to_output=True)
