"""Whether a message talks business: the words of :file:`business_terms.yml`.

Small talk never mentions an order, a refund or a lesson. DIET, though, is often sure
that a real customer's question is small talk ("我感觉屏幕有一点黄 该怎么调节呢" as a
joke request at 0.99, "新机有贴膜吗" as the weather at 0.95). :class:`BusinessTerms`
spots such messages so :class:`zhike.nlu.intent_floor.IntentFloor` can ask instead.
"""

from __future__ import annotations

from pathlib import Path

import yaml

TERMS_FILE = Path(__file__).resolve().parent / "business_terms.yml"


class BusinessTerms:
    """The business words of a lexicon file, looked up as substrings (Chinese has no spaces)."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = tuple(sorted({t.strip() for t in terms if t and t.strip()}, key=len))

    @classmethod
    def load(cls, path: Path = TERMS_FILE) -> BusinessTerms:
        """Reads ``terms:`` from a YAML file (a missing or empty list means no words)."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls([str(t) for t in data.get("terms") or []])

    def mentioned(self, text: str | None) -> str | None:
        """The first business word ``text`` says, or None."""
        if not text:
            return None
        return next((term for term in self.terms if term in text), None)
