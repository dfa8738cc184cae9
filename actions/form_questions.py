"""Questions inside a form read as questions about the form's matter (:file:`form_questions.yml`).

"这个要多少钱运费" alone asks what delivery costs; while a refund is being filed it asks
who pays for sending the goods back. The file lists, per form, the words of such questions
and the question to look up in the knowledge base instead. ``action_answer_knowledge``
(a question the NLU read as one) and ``action_answer_interruption`` (one it read as
another request: the delivery-fee question of pre-sales) answer it, and the form goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FORM_QUESTIONS_FILE = Path(__file__).with_name("form_questions.yml")


@dataclass(frozen=True)
class FormQuestion:
    """While one of ``forms`` is open, a message in ``says`` asks ``asks``."""

    forms: frozenset[str]
    says: re.Pattern[str]
    unless: re.Pattern[str] | None
    asks: str

    def fits(self, form: str | None, text: str) -> bool:
        """Whether ``text``, said while ``form`` is open, is this question."""
        if form not in self.forms:
            return False
        lowered = text.lower()
        return bool(self.says.search(lowered)) and not (
            self.unless is not None and self.unless.search(lowered)
        )


def load_form_questions(path: Path = FORM_QUESTIONS_FILE) -> tuple[FormQuestion, ...]:
    """Reads the file.

    Raises:
        ValueError: an entry without ``forms``, ``says`` or ``asks``, or a pattern that is
            no regular expression (the message says which entry).
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions = []
    for number, entry in enumerate(data.get("form_questions") or [], 1):
        questions.append(_question(path, number, entry or {}))
    return tuple(questions)


def _question(path: Path, number: int, entry: dict[str, Any]) -> FormQuestion:
    where = f"{path.name}: entry {number}"
    forms = entry.get("forms")
    forms = [forms] if isinstance(forms, str) else list(forms or [])
    asks = str(entry.get("asks") or "").strip()
    if not forms or not entry.get("says") or not asks:
        raise ValueError(f"{where} needs 'forms', 'says' and 'asks'")
    try:
        says = _pattern(entry["says"])
        unless = _pattern(entry["unless"]) if entry.get("unless") else None
    except re.error as error:
        raise ValueError(f"{where}: a pattern is no regular expression ({error})") from error
    assert says is not None
    return FormQuestion(frozenset(str(f) for f in forms), says, unless, asks)


def _pattern(patterns: Any) -> re.Pattern[str] | None:
    listed = [patterns] if isinstance(patterns, str) else list(patterns or [])
    return re.compile("|".join(f"(?:{p})" for p in listed)) if listed else None


@lru_cache(maxsize=1)
def form_questions() -> tuple[FormQuestion, ...]:
    """The file's questions, read once."""
    return load_form_questions()


def asked_in_form(form: str | None, text: str | None) -> str | None:
    """The question to look up for ``text`` said while ``form`` is open, if one fits."""
    if not form or not text:
        return None
    return next((q.asks for q in form_questions() if q.fits(form, text)), None)
