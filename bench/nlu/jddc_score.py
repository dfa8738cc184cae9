"""Scoring the labelled real-customer turns: handled right, honest fallback, confident wrong.

- handled right: a ``handled`` turn whose predicted intent is the target (for faq/chitchat
  targets, the ResponseSelector's retrieval intent must match too);
- honest fallback: the bot declined or handed over (nlu_fallback, out_of_scope,
  human_handoff) where it did not act right — right for ``clarify`` and ``oos`` turns, a
  missed chance for ``handled`` ones;
- confident wrong: everything else, the bot acting on something the customer did not ask.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bench.nlu.jddc import LabelledTurn
from bench.nlu.model import HONEST, Prediction
from bench.nlu.table import Row, percent

RIGHT, HONEST_FALLBACK, WRONG = "handled right", "honest fallback", "confident wrong"
TARGET_WRONG = 0.05
TARGET_HANDLED_RIGHT = 0.70
SHOWN_WRONG = 20


def matches(target: str | None, prediction: Prediction) -> bool:
    """The prediction acts on ``target`` (``faq/x`` needs the retrieval intent too)."""
    if target is None:
        return False
    if "/" in target:
        return prediction.intent == target.split("/", 1)[0] and prediction.label == target
    return prediction.intent == target


def outcome(turn: LabelledTurn, prediction: Prediction) -> str:
    """:data:`RIGHT`, :data:`HONEST_FALLBACK` or :data:`WRONG` for one turn."""
    if turn.label.label == "handled" and matches(turn.label.target, prediction):
        return RIGHT
    if prediction.intent in HONEST:
        return HONEST_FALLBACK
    return WRONG


@dataclass
class JddcScore:
    """Outcomes of the labelled turns, per label."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, outcome)
    # handled turns with a request as target that were asked about, by where the
    # clarification offered that request
    offered: Counter[str] = field(default_factory=Counter)  # "first", "second", "no"
    wrong: list[tuple[LabelledTurn, Prediction]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Labelled turns."""
        return sum(self.counts.values())

    def labelled(self, label: str) -> int:
        """Turns with this label."""
        return sum(n for (lab, _), n in self.counts.items() if lab == label)

    def share(self, result: str, label: str | None = None) -> float | None:
        """Share of the turns (with ``label``, or all) that had this outcome."""
        pairs = [(lab, res) for lab, res in self.counts if label is None or lab == label]
        total = sum(self.counts[pair] for pair in pairs)
        hits = sum(self.counts[pair] for pair in pairs if pair[1] == result)
        return hits / total if total else None


def score_jddc(turns: list[LabelledTurn], predictions: list[Prediction]) -> JddcScore:
    """Counts each turn's outcome and keeps the confident-wrong ones."""
    if len(turns) != len(predictions):
        raise ValueError("one prediction per turn")
    score = JddcScore()
    for turn, prediction in zip(turns, predictions, strict=True):
        result = outcome(turn, prediction)
        score.counts[(turn.label.label, result)] += 1
        target = turn.label.target
        if (
            turn.label.label == "handled"
            and result == HONEST_FALLBACK
            and "/" not in (target or "/")
        ):
            score.offered[_place(target, prediction)] += 1
        if result == WRONG:
            score.wrong.append((turn, prediction))
    return score


def _place(target: str | None, prediction: Prediction) -> str:
    """Where the clarification offered the target request: first, second or no button."""
    if target in prediction.options[:1]:
        return "first"
    if target in prediction.options[1:2]:
        return "second"
    return "no"


def jddc_rows(score: JddcScore) -> list[Row]:
    """The section's rows of the table."""
    section = "real customers (JDDC)"
    handled, wrong = score.share(RIGHT, "handled"), score.share(WRONG)
    return [
        Row(
            section,
            "labelled turns (handled / clarify / oos)",
            f"{score.total} ({score.labelled('handled')} / {score.labelled('clarify')}"
            f" / {score.labelled('oos')})",
        ),
        Row(
            section,
            "handled right (of handled turns)",
            percent(handled),
            f">= {TARGET_HANDLED_RIGHT:.0%}",
            None if handled is None else handled >= TARGET_HANDLED_RIGHT,
        ),
        Row(section, "honest fallback (of all turns)", percent(score.share(HONEST_FALLBACK))),
        Row(
            section,
            "… of clarify + oos turns",
            percent(_share_of(score, HONEST_FALLBACK, ("clarify", "oos"))),
        ),
        Row(
            section, "… of handled turns (missed)", percent(score.share(HONEST_FALLBACK, "handled"))
        ),
        Row(
            section,
            "… … request asked about: offered as 1st / 2nd button",
            _offered(score),
        ),
        Row(
            section,
            "confident wrong (of all turns)",
            percent(wrong),
            f"<= {TARGET_WRONG:.0%}",
            None if wrong is None else wrong <= TARGET_WRONG,
        ),
    ]


def _offered(score: JddcScore) -> str:
    missed = sum(score.offered.values())
    if not missed:
        return "-"
    return (
        f"{percent(score.offered['first'] / missed)} / {percent(score.offered['second'] / missed)}"
    )


def _share_of(score: JddcScore, result: str, labels: tuple[str, ...]) -> float | None:
    total = sum(score.labelled(label) for label in labels)
    hits = sum(score.counts[(label, result)] for label in labels)
    return hits / total if total else None


def jddc_details(score: JddcScore) -> list[str]:
    """Markdown under the table: the confident-wrong turns (the first few)."""
    if not score.wrong:
        return []
    lines = [
        f"### Real customers: confident-wrong turns ({len(score.wrong)}, "
        f"first {min(SHOWN_WRONG, len(score.wrong))})",
        "",
        "| session:turn | label | target | predicted | text |",
        "|---|---|---|---|---|",
    ]
    for turn, prediction in score.wrong[:SHOWN_WRONG]:
        label = turn.label
        text = turn.text if len(turn.text) <= 60 else turn.text[:59] + "…"
        text = text.replace("|", "\\|")
        lines.append(
            f"| {label.session[:8]}:{label.turn} | {label.label} | {label.target or '-'} "
            f"| {prediction.label} ({prediction.confidence:.2f}) | {text} |"
        )
    return lines
