"""Out of scope: CAIS smart-speaker requests, none a customer-service request.

Every utterance of CAIS's test split (music, radio stories, weather, reminders, ...)
should end as ``out_of_scope`` or ``nlu_fallback``; any other intent is a false accept:
the bot would answer a question nobody asked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.nlu.model import RETRIEVAL_INTENTS, Prediction
from bench.nlu.table import Row, percent

CAIS_TEST = Path("oos") / "cais" / "ch.test"
TARGET_RATE = 0.03
TOP_WRONG = 15


@dataclass(frozen=True)
class Utterance:
    """One CAIS utterance and its CAIS intent (PlayMusic, GetWeather, ...)."""

    text: str
    kind: str


def read_bio(path: Path) -> list[str]:
    """The sentences of a char-per-line BIO file.

    Each line is ``<char> <tag>``; a blank line ends a sentence. The char itself may be
    a space (``"  O"``), so the tag is split off at the last space only.
    """
    sentences: list[str] = []
    chars: list[str] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.rstrip("\r")
        if not line.strip():
            if chars:
                sentences.append("".join(chars).strip())
                chars = []
            continue
        char, separator, _tag = line.rpartition(" ")
        chars.append(char if separator else line)
    if chars:
        sentences.append("".join(chars).strip())
    return sentences


def load_cais(eval_dir: Path) -> list[Utterance] | None:
    """Every utterance of CAIS's test split with its label, ``None`` if the file is absent.

    Raises:
        ValueError: the label file does not have one label per utterance.
    """
    path = eval_dir / CAIS_TEST
    if not path.is_file():
        return None
    sentences = read_bio(path)
    label_path = path.with_name(path.name + ".intent")
    labels = label_path.read_text(encoding="utf-8").split() if label_path.is_file() else []
    if labels and len(labels) != len(sentences):
        raise ValueError(f"{label_path}: {len(labels)} labels for {len(sentences)} utterances")
    return [
        Utterance(text, labels[index] if labels else "?")
        for index, text in enumerate(sentences)
        if text
    ]


@dataclass(frozen=True)
class WrongIntent:
    """An intent the model gave to out-of-scope utterances, with one example."""

    label: str
    count: int
    example: str
    kinds: str  # the CAIS intents it took them from, most frequent first


@dataclass
class OosScore:
    """False accepts among the out-of-scope utterances."""

    total: int = 0
    accepted: list[tuple[Utterance, Prediction]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        """Share of utterances that got a real intent (a false accept)."""
        return len(self.accepted) / self.total if self.total else None

    def share(self, retrieval: bool) -> float | None:
        """Share of all utterances falsely accepted by chitchat/faq (or by other intents)."""
        if not self.total:
            return None
        hits = sum(1 for _, p in self.accepted if (p.intent in RETRIEVAL_INTENTS) is retrieval)
        return hits / self.total

    def kind_rates(self) -> list[tuple[str, int, int]]:
        """Per CAIS intent: (intent, false accepts, utterances), most utterances first."""
        accepted = Counter(u.kind for u, _ in self.accepted)
        return [(kind, accepted[kind], n) for kind, n in self.kinds.most_common()]

    def top_wrong(self, count: int = TOP_WRONG) -> list[WrongIntent]:
        """The intents that took the most utterances, each with its first example."""
        by_label: dict[str, list[Utterance]] = defaultdict(list)
        for utterance, prediction in self.accepted:
            by_label[prediction.label].append(utterance)
        ranked = sorted(by_label.items(), key=lambda item: (-len(item[1]), item[0]))
        return [
            WrongIntent(
                label,
                len(items),
                items[0].text,
                ", ".join(k for k, _ in Counter(u.kind for u in items).most_common()),
            )
            for label, items in ranked[:count]
        ]


def score_oos(utterances: list[Utterance], predictions: list[Prediction]) -> OosScore:
    """Counts the false accepts: a final intent other than out_of_scope / nlu_fallback."""
    if len(utterances) != len(predictions):
        raise ValueError("one prediction per utterance")
    score = OosScore(total=len(utterances), kinds=Counter(u.kind for u in utterances))
    for utterance, prediction in zip(utterances, predictions, strict=True):
        if not prediction.declined:
            score.accepted.append((utterance, prediction))
    return score


def oos_rows(score: OosScore) -> list[Row]:
    """The section's rows of the table."""
    section = "out of scope (CAIS)"
    rate = score.rate
    return [
        Row(section, "utterances", str(score.total)),
        Row(
            section,
            "false-accept rate",
            percent(rate),
            f"<= {TARGET_RATE:.0%}",
            None if rate is None else rate <= TARGET_RATE,
        ),
        Row(section, "… to chitchat/faq", percent(score.share(retrieval=True))),
        Row(section, "… to other (business, basics) intents", percent(score.share(False))),
    ]


def oos_details(score: OosScore) -> list[str]:
    """Markdown under the table: the most frequent wrong intents and the CAIS kinds."""
    lines = [
        f"### Out of scope: the {TOP_WRONG} most frequent wrong intents",
        "",
        "| intent | utterances | CAIS kinds | example |",
        "|---|---:|---|---|",
    ]
    lines += [
        f"| {w.label} | {w.count} | {w.kinds} | {escape(w.example)} |" for w in score.top_wrong()
    ]
    lines += [
        "",
        "False accepts per CAIS intent: "
        + ", ".join(f"{kind} {wrong}/{n}" for kind, wrong, n in score.kind_rates())
        + ".",
    ]
    return lines


def escape(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
