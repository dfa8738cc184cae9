"""A request that names the customer's own order, parcel or ticket is a request to act.

"申请价保 HP20241001" or "帮我查一下订单HP20240001" carries an order number: the customer
wants something done to that order, not a policy explained. DIET is often only half sure
of such short requests (0.5–0.65), because the number takes most of the message. Two
pipeline components use this module:

- :class:`zhike.nlu.intent_floor.IntentFloor` keeps a request below its floor when the
  message names one of the customer's things *and* DIET clearly prefers the request over
  every other intent (:func:`anchored_request`);
- :class:`zhike.nlu.knowledge_gate.KnowledgeGate` never turns an unsure request that names
  such a thing into a knowledge-base question (:func:`unsure_anchored_request`): the
  customer is asked "您是想咨询下面哪个问题呢？" with the request among the buttons instead
  of being told the policy.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)

from zhike.common.topic_names import BUSINESS_INTENTS

# Entities that name one of the customer's own things.
ANCHOR_ENTITIES = frozenset({"order_id", "tracking_number", "ticket_id"})
# Below this a request is not even worth a button over a knowledge-base answer (the
# FallbackClassifier's threshold).
UNSURE_REQUEST_FLOOR = 0.45


def names_a_thing(data: dict[str, Any]) -> bool:
    """Whether a parsed message carries an order, tracking or ticket number."""
    return any(e.get(ENTITY_ATTRIBUTE_TYPE) in ANCHOR_ENTITIES for e in data.get(ENTITIES) or [])


def ranked_intents(data: dict[str, Any]) -> list[tuple[str, float]]:
    """The intent ranking without the fallback, best first."""
    ranked = [
        (str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
        for r in data.get(INTENT_RANKING_KEY) or []
        if r.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME
    ]
    return sorted(ranked, key=lambda pair: pair[1], reverse=True)


def anchored_request(data: dict[str, Any], floor: float, margin: float) -> str | None:
    """The request a message makes of a named order/parcel/ticket, when DIET clearly prefers it.

    Args:
        data: the parsed message.
        floor: the least confidence the request needs.
        margin: by how much it must beat the next most likely intent.

    Returns:
        The business intent, or None.
    """
    if not names_a_thing(data):
        return None
    ranked = ranked_intents(data)
    if not ranked or ranked[0][0] not in BUSINESS_INTENTS or ranked[0][1] < floor:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if ranked[0][1] - runner_up >= margin else None


def unsure_anchored_request(data: dict[str, Any]) -> bool:
    """Whether a message names one of the customer's things and most likely asks to act."""
    if not names_a_thing(data):
        return False
    ranked = ranked_intents(data)
    return (
        bool(ranked) and ranked[0][0] in BUSINESS_INTENTS and (ranked[0][1] >= UNSURE_REQUEST_FLOOR)
    )
