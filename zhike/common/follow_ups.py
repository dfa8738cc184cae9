"""Short follow-ups read in the context of the answer just given (:file:`follow_ups.yml`).

"老师是谁啊" alone is nothing the robot serves; right after the customer's lessons were
listed it asks about them. The file lists, per request (``after``), the words of such
follow-ups and the request they are (``becomes``). The follow-up policy
(:mod:`zhike.dialogue.follow_up_policy`) and ``action_keep_topic`` (``actions/follow_up.py``)
read it through :func:`continued_request`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

FOLLOW_UPS_FILE = Path(__file__).resolve().parent / "follow_ups.yml"


@dataclass(frozen=True)
class FollowUp:
    """Right after a message of intent ``after``, a message in ``says`` is ``becomes``."""

    after: str
    becomes: str
    says: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def fits(self, text: str) -> bool:
        """Whether ``text`` (any case) is in this follow-up's words."""
        lowered = text.lower()
        return bool(self.says.search(lowered)) and not (
            self.unless is not None and self.unless.search(lowered)
        )


def _pattern(phrases: object) -> re.Pattern[str] | None:
    parts = (
        [f"(?:{p})" for p in phrases or [] if str(p).strip()] if isinstance(phrases, list) else []
    )
    return re.compile("|".join(parts)) if parts else None


def load_follow_ups(path: Path = FOLLOW_UPS_FILE) -> tuple[FollowUp, ...]:
    """The follow-ups of a YAML file.

    Raises:
        ValueError: an entry without ``after``, ``becomes`` or ``says``, or a phrase that
            is no regular expression.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    follow_ups: list[FollowUp] = []
    for number, entry in enumerate(data.get("follow_ups") or [], 1):
        try:
            says = _pattern(entry.get("says"))
            unless = _pattern(entry.get("unless"))
        except re.error as error:
            raise ValueError(f"{path}: follow-up {number}: {error}") from error
        if not entry.get("after") or not entry.get("becomes") or says is None:
            raise ValueError(f"{path}: follow-up {number} needs after, becomes and says")
        follow_ups.append(FollowUp(str(entry["after"]), str(entry["becomes"]), says, unless))
    return tuple(follow_ups)


@lru_cache(maxsize=1)
def _default() -> tuple[FollowUp, ...]:
    return load_follow_ups()


def continued_request(previous_intent: str | None, text: str) -> str | None:
    """The request ``text`` continues right after a message of ``previous_intent``."""
    for follow_up in _default():
        if follow_up.after == previous_intent and follow_up.fits(text):
            return follow_up.becomes
    return None
