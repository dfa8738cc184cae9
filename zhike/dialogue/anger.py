"""How angry a Chinese customer message is, from a small lexicon a designer can edit.

The dialogue policy hands an angry customer to a human agent. Scoring runs on every
message, so it is one regex scan of the normalised text plus a few tiny checks, and it is
explainable: the score is the sum of the weights of the cues found, and the cues are
returned with it. The rules and the terms are described in ``anger_lexicon.yml`` next to
this module, which is read on first use and cached.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LEXICON_PATH = Path(__file__).with_name("anger_lexicon.yml")
DEFAULT_THRESHOLD = 1.0


@dataclass(frozen=True)
class AngerScore:
    """How angry one message is.

    Attributes:
        score: 0.0 for a calm message; ``DEFAULT_THRESHOLD`` or more for an angry one.
        cues: the lexicon terms and intensity signals that counted, in the order found,
            for logs and the agent's summary.
    """

    score: float
    cues: tuple[str, ...]


_CALM = AngerScore(0.0, ())


@dataclass(frozen=True)
class _Lexicon:
    terms: re.Pattern[str]  # every term and ignored phrase, longest first
    weights: dict[str, float]  # ignored phrases are missing
    signals: tuple[tuple[str, re.Pattern[str], float], ...]  # cue, pattern, weight
    negators: tuple[str, ...]
    window: int
    folding: dict[int, str]


def anger_score(text: str | None) -> AngerScore:
    """Scores how angry ``text`` is.

    Args:
        text: a customer message; ``None`` and blank text are calm.

    Returns:
        The score (0.0 when calm) and the cues that made it.
    """
    if not text or text.isspace():
        return _CALM
    lexicon = _lexicon()
    text = _normalise(text, lexicon.folding)
    total = 0.0
    cues: list[str] = []
    previous_end = 0
    for match in lexicon.terms.finditer(text):
        term, start, end = match.group(), match.start(), match.end()
        if _inside_ascii_word(text, term, start, end):
            continue
        negated = _negated(text, max(start - lexicon.window, previous_end), start, lexicon)
        previous_end = end
        weight = lexicon.weights.get(term)
        if weight is None or negated or term in cues:
            continue
        total += weight
        cues.append(term)
    strongest = 0.0
    for cue, pattern, weight in lexicon.signals:
        if pattern.search(text):
            cues.append(cue)
            strongest = max(strongest, weight)
    return AngerScore(round(total + strongest, 6), tuple(cues)) if cues else _CALM


def is_angry(text: str | None, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Tells whether ``text`` is angry enough to hand the customer to a human agent.

    Args:
        text: a customer message; ``None`` and blank text are calm.
        threshold: the score from which a message counts as angry.

    Returns:
        ``True`` when ``anger_score(text).score >= threshold``.
    """
    return anger_score(text).score >= threshold


def _normalise(text: str, folding: dict[int, str]) -> str:
    """NFKC (full-width to half-width), lower case, traditional to simplified characters."""
    return unicodedata.normalize("NFKC", text).casefold().translate(folding)


def _inside_ascii_word(text: str, term: str, start: int, end: int) -> bool:
    """Whether an ASCII term such as "sb" or "12315" is part of a longer word or number."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (_is_ascii_alnum(term[0]) and _is_ascii_alnum(before)) or (
        _is_ascii_alnum(term[-1]) and _is_ascii_alnum(after)
    )


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _negated(text: str, begin: int, start: int, lexicon: _Lexicon) -> bool:
    """Whether a negation word stands between ``begin`` and ``start`` in one clause."""
    position = start
    while position > begin and text[position - 1].isalnum():
        position -= 1
    before = text[position:start]
    return bool(before) and any(word in before for word in lexicon.negators)


@functools.cache
def _lexicon() -> _Lexicon:
    with LEXICON_PATH.open(encoding="utf-8") as stream:
        return _parse(yaml.safe_load(stream))


def _parse(document: dict[str, Any]) -> _Lexicon:
    """Builds the matcher from the lexicon file's content; raises ValueError if invalid."""
    pairs = [str(pair) for pair in document.get("traditional", [])]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError("anger lexicon: each `traditional` entry is two characters")
    folding = {ord(pair[0]): pair[1] for pair in pairs}
    weights: dict[str, float] = {}
    for group in document["terms"]:
        weight = group["weight"]
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise ValueError(f"anger lexicon: weight {weight!r} is not a positive number")
        for word in group["words"]:
            term = _normalise(str(word), folding)
            if term in weights:
                raise ValueError(f"anger lexicon: {term!r} is listed twice")
            weights[term] = float(weight)
    ignored = {_normalise(str(phrase), folding) for phrase in document.get("ignore", [])}
    alternatives = sorted(weights.keys() | ignored, key=lambda term: (-len(term), term))
    signals = tuple(
        (str(signal["cue"]), re.compile(signal["pattern"]), float(signal["weight"]))
        for signal in document.get("intensity", [])
    )
    negation = document.get("negation", {})
    return _Lexicon(
        terms=re.compile("|".join(map(re.escape, alternatives))),
        weights=weights,
        signals=signals,
        negators=tuple(_normalise(str(word), folding) for word in negation.get("words", [])),
        window=int(negation.get("window", 0)),
        folding=folding,
    )
