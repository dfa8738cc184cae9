"""Designers' phrase lists (YAML lists of regular expressions) as one compiled pattern.

:mod:`zhike.nlu.policy_questions`, :mod:`zhike.nlu.small_talk` and
:mod:`zhike.nlu.frame_words` read such lists; each entry is a Python regular expression
matched anywhere in a message, in which ``{name}`` stands for a named word list of
:file:`words.yml` (``{money}``: 收费|收钱|…).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"
_NAMED = re.compile(r"\{([a-z_]+)\}")  # never a quantifier: those are digits and commas


@functools.lru_cache(maxsize=1)
def named_words(path: Path = WORDS_FILE) -> Mapping[str, str]:
    """The named word lists of ``path`` (read once)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(name): str(words) for name, words in data.items()}


def expand(pattern: str, words: Mapping[str, str] | None = None) -> str:
    """``pattern`` with each ``{name}`` replaced by ``(?:`` the named list ``)``.

    Raises:
        re.error: ``pattern`` names a list :file:`words.yml` does not have.
    """
    lists = named_words() if words is None else words

    def _list(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lists:
            raise re.error(f"no word list {{{name}}} in {WORDS_FILE.name}")
        return f"(?:{lists[name]})"

    return _NAMED.sub(_list, pattern)


def phrase_pattern(phrases: Iterable[object]) -> re.Pattern[str] | None:
    """One pattern that matches wherever any of ``phrases`` does; None for no phrase.

    Raises:
        re.error: a phrase is no valid regular expression, or names an unknown word list.
    """
    texts = (str(p) for p in phrases if p is not None)
    parts = [f"(?:{expand(p)})" for p in texts if p.strip()]
    return re.compile("|".join(parts)) if parts else None
