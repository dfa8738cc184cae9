"""A parsed message's intent changed by a component: the new one on top, the rest below."""

from __future__ import annotations

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def put_first(message: Message, name: str, confidence: float) -> None:
    """``name`` on top with ``confidence``, the rest of the ranking (no fallback) below."""
    top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: round(confidence, 4)}
    rest = [
        dict(entry)
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get(INTENT_NAME_KEY) not in {name, DEFAULT_NLU_FALLBACK_INTENT_NAME}
    ]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(top), *rest], add_to_output=True)
