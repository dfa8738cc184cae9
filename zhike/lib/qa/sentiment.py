"""Lexicon sentiment of Chinese customer messages (``sentiment.yml`` beside this module).

A message's score is the sum of the weights of the lexicon's terms found in it by the
Aho-Corasick :class:`~zhike.lib.qa.matcher.Matcher` (non-overlapping, leftmost-longest);
a term right after a negation word counts with the opposite sign, halved. It is meant for
short customer-service turns (complaints, waiting, thanks), where a review-trained model
calls neutral questions negative; see ``docs/qa.md`` and ``python -m bench.qa``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zhike.lib.qa.matcher import Matcher

LEXICON_PATH = Path(__file__).resolve().parent / "sentiment.yml"
NEGATIVE_AT = -0.6  # a score at or below this is a negative message
NEGATION_REACH = 2  # characters between a negation word and the term it turns
_BREAK = re.compile(r"[，。！？!?,.;；、\s]")


@dataclass(frozen=True)
class Lexicon:
    """Weighted terms and negation words."""

    terms: Matcher
    negations: tuple[str, ...]


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Reads a lexicon file (the category of each term is its weight, as text)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8")) or {}
    pairs = [
        (str(word), str(float(group["weight"])))
        for group in data.get("terms") or []
        for word in group.get("words") or []
    ]
    negations = tuple(sorted((str(w) for w in data.get("negation") or []), key=len, reverse=True))
    return Lexicon(Matcher(pairs), negations)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicon, read on first use (not at import)."""
    return load_lexicon()


def _negated(text: str, start: int, negations: tuple[str, ...]) -> bool:
    window = text[max(0, start - NEGATION_REACH - 2) : start]
    cut = max((m.end() for m in _BREAK.finditer(window)), default=0)
    window = window[cut:]
    for word in negations:
        at = window.rfind(word)
        if at >= 0 and len(window) - (at + len(word)) <= NEGATION_REACH:
            return True
    return False


def score(text: str, lexicon: Lexicon | None = None) -> float:
    """The message's sentiment score: below 0 negative, above 0 positive, 0 neutral."""
    lex = lexicon or default_lexicon()
    total = 0.0
    for hit in lex.terms.find(text or ""):
        weight = float(hit.category)
        total += -weight / 2 if _negated(text, hit.start, lex.negations) else weight
    return round(total, 3)


def is_negative(text: str, lexicon: Lexicon | None = None) -> bool:
    """Whether a customer message reads as negative (score at most :data:`NEGATIVE_AT`)."""
    return score(text, lexicon) <= NEGATIVE_AT
