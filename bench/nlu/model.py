"""A parsed message as the benchmark sees it, and the trained model that parses it."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Intents answered by the ResponseSelector: the answer is the retrieval intent (faq/xxx).
RETRIEVAL_INTENTS = frozenset({"faq", "chitchat"})
FALLBACK = "nlu_fallback"
# The model declines: the right outcome for a message that is not a customer request.
REJECTIONS = frozenset({FALLBACK, "out_of_scope"})
# Honest for a real customer the bot cannot serve: decline or hand over to a person.
HONEST = REJECTIONS | {"human_handoff"}

# Rasa's NLU output for a text (Agent.parse_message).
Parse = Callable[[str], Awaitable[dict[str, Any]]]


class ModelError(Exception):
    """The model cannot be loaded."""


@dataclass(frozen=True)
class Prediction:
    """What the model made of one message.

    Attributes:
        intent: the final intent, ``nlu_fallback`` when the FallbackClassifier declined.
        confidence: the final intent's confidence.
        top_intent: the best intent before the fallback (as `rasa test nlu` counts it).
        retrieval: the ResponseSelector's pick (``faq/return_policy``), the answer the
            bot gives if the intent is faq or chitchat; ``None`` without a selector.
        options: for a declined message, the requests the clarification offers as
            buttons ("您是想咨询：…"), first button first.
    """

    intent: str
    confidence: float = 1.0
    top_intent: str = ""
    retrieval: str | None = None
    options: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What the bot acts on: the retrieval intent for faq/chitchat, else the intent."""
        if self.intent in RETRIEVAL_INTENTS and self.retrieval:
            return self.retrieval
        return self.intent

    @property
    def top_label(self) -> str:
        """:attr:`label` as it would be without the FallbackClassifier."""
        top = self.top_intent or self.intent
        if top in RETRIEVAL_INTENTS and self.retrieval:
            return self.retrieval
        return top

    @property
    def declined(self) -> bool:
        """The model declined (nlu_fallback or out_of_scope)."""
        return self.intent in REJECTIONS


def prediction_from(result: dict[str, Any]) -> Prediction:
    """The :class:`Prediction` in Rasa's parse result (``intent``, ranking, selector)."""
    intent = result.get("intent") or {}
    name = str(intent.get("name") or FALLBACK)
    confidence = float(intent.get("confidence") or 0.0)
    ranking = [
        str(entry.get("name"))
        for entry in result.get("intent_ranking") or []
        if entry.get("name") and entry.get("name") != FALLBACK
    ]
    top = name if name != FALLBACK else (ranking[0] if ranking else FALLBACK)
    selector = result.get("response_selector") or {}
    entry = selector.get(top) or selector.get("default") or {}
    key = (entry.get("response") or {}).get("intent_response_key")
    retrieval = str(key) if key else None
    options = offered_requests(result) if name == FALLBACK else ()
    return Prediction(name, confidence, top, retrieval, options)


def offered_requests(result: dict[str, Any]) -> tuple[str, ...]:
    """The requests (``/intent`` buttons) the robot's "您是想咨询：" offers for ``result``."""
    from actions.fallback import suggestions

    return tuple(
        button["payload"][1:] for button in suggestions(result) if button["payload"].startswith("/")
    )


async def predict_all(parse: Parse, texts: Sequence[str], what: str = "") -> list[Prediction]:
    """Parses every text in turn (progress on stderr every 200 texts)."""
    predictions: list[Prediction] = []
    started = time.monotonic()
    for index, text in enumerate(texts, 1):
        predictions.append(prediction_from(await parse(text)))
        if what and (index % 200 == 0 or index == len(texts)):
            elapsed = time.monotonic() - started
            log(f"{what}: {index}/{len(texts)} parsed ({elapsed:.0f} s)")
    return predictions


def log(message: str) -> None:
    """Progress for the person running the benchmark (stderr, so stdout is the table)."""
    print(f"[bench-nlu] {message}", file=sys.stderr, flush=True)


def load_parser(model: Path) -> Parse:
    """Loads a trained model (``.tar.gz``) in-process and returns its parse function.

    Raises:
        ModelError: the file is missing or Rasa cannot load it.
    """
    if not model.is_file():
        raise ModelError(f"no trained model at {model} (run `make train`, or pass --model)")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import structlog
    from rasa.core.agent import Agent

    # Rasa logs a debug line per parsed message: warnings only, on stderr.
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
    started = time.monotonic()
    try:
        agent = Agent.load(str(model))
    except Exception as error:  # Rasa raises many kinds for a bad archive
        raise ModelError(f"cannot load {model}: {error}") from error
    if agent.processor is None:
        raise ModelError(f"{model} holds no model Rasa can serve")
    log(f"model {model} loaded in {time.monotonic() - started:.0f} s")
    return agent.parse_message
