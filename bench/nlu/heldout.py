"""The held-out set (tests/nlu/*.yml): intent accuracy, macro-F1 and response selection.

Two views of the same predictions: the final intent a customer experiences (a message
the FallbackClassifier declined counts as wrong), and the best intent before the
fallback, which is how `rasa test nlu` (and the regression gate in `make test`) counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import f1_score

from bench.nlu.model import FALLBACK, Prediction
from bench.nlu.table import Row, number, percent

HELD_OUT_DIR = Path(__file__).resolve().parents[2] / "tests" / "nlu"
# Written from intent descriptions by a writer who never read the training data; its
# dev half's errors may be read, its test half's never (see tests/nlu_blind/).
BLIND_DIR = HELD_OUT_DIR.parent / "nlu_blind"
HELD_OUT_SECTION = "held-out set (tests/nlu)"


@dataclass(frozen=True)
class Example:
    """A held-out example: text, intent and (for faq/chitchat) the retrieval intent."""

    text: str
    intent: str
    retrieval: str | None = None


def load_held_out(directory: Path = HELD_OUT_DIR) -> list[Example] | None:
    """Every example of the Rasa NLU YAML files in ``directory`` (``None``: no files)."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        return None
    from rasa.shared.nlu.training_data.loading import load_data

    examples: list[Example] = []
    for path in files:
        for message in load_data(str(path)).intent_examples:
            examples.append(
                Example(
                    message.get("text"),
                    message.get("intent"),
                    message.get("intent_response_key") or None,
                )
            )
    return examples


@dataclass(frozen=True)
class HeldOutScore:
    """Accuracy and macro-F1, after and before the fallback, and response selection."""

    total: int
    accuracy: float
    macro_f1: float
    accuracy_before_fallback: float
    macro_f1_before_fallback: float
    fallback_rate: float
    response_accuracy: float | None  # faq/chitchat examples: the right answer picked


def _accuracy(truth: list[str], guesses: list[str]) -> float:
    return sum(t == g for t, g in zip(truth, guesses, strict=True)) / len(truth)


def _macro_f1(truth: list[str], guesses: list[str]) -> float:
    # Labels: every intent that occurs as truth or guess, as sklearn's (and Rasa's) report.
    return float(f1_score(truth, guesses, average="macro", zero_division=0))


def score_held_out(examples: list[Example], predictions: list[Prediction]) -> HeldOutScore:
    """Scores the predictions of the held-out examples.

    Raises:
        ValueError: no examples, or not one prediction each.
    """
    if not examples or len(examples) != len(predictions):
        raise ValueError("one prediction per held-out example")
    truth = [e.intent for e in examples]
    final = [p.intent for p in predictions]
    before = [p.top_intent or p.intent for p in predictions]
    answers = [
        (e.retrieval, p.retrieval)
        for e, p in zip(examples, predictions, strict=True)
        if e.retrieval
    ]
    return HeldOutScore(
        total=len(examples),
        accuracy=_accuracy(truth, final),
        macro_f1=_macro_f1(truth, final),
        accuracy_before_fallback=_accuracy(truth, before),
        macro_f1_before_fallback=_macro_f1(truth, before),
        fallback_rate=sum(p.intent == FALLBACK for p in predictions) / len(predictions),
        response_accuracy=(sum(t == g for t, g in answers) / len(answers) if answers else None),
    )


def held_out_rows(score: HeldOutScore, section: str = HELD_OUT_SECTION) -> list[Row]:
    """The section's rows of the table."""
    return [
        Row(section, "examples", str(score.total)),
        Row(section, "intent accuracy (fallback counts wrong)", number(score.accuracy)),
        Row(section, "intent macro-F1 (fallback counts wrong)", number(score.macro_f1)),
        Row(
            section,
            "intent accuracy before fallback (as rasa test nlu)",
            number(score.accuracy_before_fallback),
        ),
        Row(
            section,
            "intent macro-F1 before fallback (as rasa test nlu)",
            number(score.macro_f1_before_fallback),
        ),
        Row(section, "nlu_fallback rate", percent(score.fallback_rate)),
        Row(
            section,
            "response selection accuracy (faq/chitchat)",
            number(score.response_accuracy),
        ),
    ]
