"""Designers' phrase lists (YAML lists of regular expressions) as one compiled pattern.

:mod:`zhike.nlu.policy_questions` and :mod:`zhike.nlu.small_talk` read such lists; each
entry is a Python regular expression matched anywhere in a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def phrase_pattern(phrases: Iterable[object]) -> re.Pattern[str] | None:
    """One pattern that matches wherever any of ``phrases`` does; None for no phrase.

    Raises:
        re.error: a phrase is no valid regular expression.
    """
    parts = [f"(?:{p})" for p in (str(p) for p in phrases if p is not None) if p.strip()]
    return re.compile("|".join(parts)) if parts else None
