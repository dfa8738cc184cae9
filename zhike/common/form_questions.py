"""Questions inside a form read as questions about the form's matter (:file:`form_questions.yml`).

"这个要多少钱运费" alone asks what delivery costs; while a refund is being filed it asks
who pays for sending the goods back. The file lists, per form, the words of such questions
and the question to look up in the knowledge base instead. ``action_answer_knowledge``
(a question the NLU read as one) and ``action_answer_interruption`` (one it read as
another request: the delivery-fee question of pre-sales) answer it, and the form goes on.
One the NLU declined ("师傅上门收费吗" while a visit is booked) is made a question by
:mod:`zhike.nlu.form_reply`, instead of 「您是想咨询…」 over the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zhike.common.follow_ups import listed_pattern, says_unless

FORM_QUESTIONS_FILE = Path(__file__).with_name("form_questions.yml")


@dataclass(frozen=True)
class FormQuestion:
    """While one of ``forms`` is open, a message in ``says`` asks ``asks``.

    ``when``: slot values the form must hold ("师傅上门收费吗" asks the installation's fee
    while an installation is booked, the repair's while a repair is).
    """

    forms: frozenset[str]
    says: re.Pattern[str]
    unless: re.Pattern[str] | None
    asks: str
    when: tuple[tuple[str, str], ...] = ()

    def fits(self, form: str | None, text: str, slots: Mapping[str, Any] | None = None) -> bool:
        """Whether ``text``, said while ``form`` is open with ``slots``, is this question."""
        held = slots or {}
        if any(str(held.get(slot)) != value for slot, value in self.when):
            return False
        return form in self.forms and says_unless(self.says, self.unless, text)


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
    try:
        says = listed_pattern(entry.get("says"))
        unless = listed_pattern(entry.get("unless"))
    except re.error as error:
        raise ValueError(f"{where}: a pattern is no regular expression ({error})") from error
    if not forms or says is None or not asks:
        raise ValueError(f"{where} needs 'forms', 'says' and 'asks'")
    when = entry.get("when") or {}
    if not isinstance(when, dict):
        raise ValueError(f"{where}: 'when' maps slots to values")
    held = tuple((str(slot), str(value)) for slot, value in when.items())
    return FormQuestion(frozenset(str(f) for f in forms), says, unless, asks, held)


@lru_cache(maxsize=1)
def form_questions() -> tuple[FormQuestion, ...]:
    """The file's questions, read once."""
    return load_form_questions()


def asked_in_form(
    form: str | None, text: str | None, slots: Mapping[str, Any] | None = None
) -> str | None:
    """The question to look up for ``text`` said while ``form`` is open, if one fits.

    ``slots``: the conversation's slots, for the entries that say ``when``.
    """
    if not form or not text:
        return None
    return next((q.asks for q in form_questions() if q.fits(form, text, slots)), None)
