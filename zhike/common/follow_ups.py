"""Short follow-ups read in the context of the answer just given (:file:`follow_ups.yml`).

"老师是谁啊" alone is nothing the robot serves; right after the customer's lessons were
listed it asks about them. The file lists, per request (``after``), the words of such
follow-ups and the request they are (``becomes``), and how many messages back the request
may be (``within``: a complaint's details come over several). The follow-up policy
(:mod:`zhike.dialogue.follow_up_policy`) and ``action_keep_topic`` (``actions/follow_up.py``)
read it through :func:`kept_intent`, which also restores a request the NLU's second opinion
doubted in a follow-up on that very request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zhike.common.topic_names import (
    BEYOND_KEY,
    BUSINESS_INTENTS,
    KEPT_KEY,
    OUT_OF_SCOPE,
    OVERRULED_KEY,
    QUESTION_INTENT,
    SECOND_OPINION_KEY,
    UNANSWERED_KEY,
)
from zhike.common.urges import urges_only

FOLLOW_UPS_FILE = Path(__file__).resolve().parent / "follow_ups.yml"
FALLBACK, INFORM, ORDER_LOOKUP = "nlu_fallback", "inform", "query_order"
SAME = "same"  # an entry's ``becomes``: the request it follows, whichever it was
# A statement with one of these is a lookup of its own (data/rules: a bare order number ...).
NUMBER_ENTITIES = frozenset({"order_id", "ticket_id", "phone", "tracking_number"})


@dataclass(frozen=True)
class FollowUp:
    """Right after a message of an intent in ``after``, a message in ``says`` is ``becomes``."""

    after: frozenset[str]  # any of these requests
    becomes: str
    says: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    within: int = 1  # how many of the customer's messages back ``after`` may be
    urged: bool = False  # a bare urge ("怎么这么慢") fits too
    beyond: bool = False  # also a message the NLU read as out of scope ("那怎么办")
    answered: bool = False  # also a question the knowledge base answers ("那钱几天能到账啊")

    def fits(self, text: str, urged: bool = False) -> bool:
        """Whether ``text`` (any case) is in this follow-up's words (or an urge it takes)."""
        if urged and self.urged:
            return True
        return says_unless(self.says, self.unless, text)


def says_unless(says: re.Pattern[str], unless: re.Pattern[str] | None, text: str) -> bool:
    """Whether lower-cased ``text`` fits ``says`` and not ``unless`` (a file entry's words)."""
    lowered = text.lower()
    return bool(says.search(lowered)) and not (unless is not None and unless.search(lowered))


def listed_pattern(phrases: object) -> re.Pattern[str] | None:
    """One pattern for a list of regular expressions (None for no list or an empty one).

    Raises:
        re.error: a phrase is no valid regular expression.
    """
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
            says = listed_pattern(entry.get("says"))
            unless = listed_pattern(entry.get("unless"))
        except re.error as error:
            raise ValueError(f"{path}: follow-up {number}: {error}") from error
        if not entry.get("after") or not entry.get("becomes") or says is None:
            raise ValueError(f"{path}: follow-up {number} needs after, becomes and says")
        within = entry.get("within", 1)
        if not isinstance(within, int) or within < 1:
            raise ValueError(f"{path}: follow-up {number}: within must be a number from 1")
        urged, beyond = bool(entry.get("urged", False)), bool(entry.get("beyond", False))
        answered = bool(entry.get("answered", False))
        after = _requests(entry["after"])
        follow_ups.append(
            FollowUp(after, str(entry["becomes"]), says, unless, within, urged, beyond, answered)
        )
    return tuple(follow_ups)


def _requests(after: object) -> frozenset[str]:
    """The intents of an entry's ``after``: one, a list, or ``"*"`` for every request."""
    names = after if isinstance(after, list) else [after]
    if "*" in names:
        return BUSINESS_INTENTS
    return frozenset(str(name) for name in names)


@lru_cache(maxsize=1)
def _default() -> tuple[FollowUp, ...]:
    return load_follow_ups()


def continued_request(
    earlier: Sequence[str | None],
    text: str,
    urged: bool = False,
    beyond: bool = False,
    answered: bool = False,
) -> str | None:
    """The request ``text`` continues, given the intents of the messages before it.

    Args:
        earlier: the intents of the customer's earlier messages in this session, the
            latest first (the one right before ``text`` at index 0).
        text: the message.
        urged: ``text`` is a bare urge (:func:`~zhike.common.urges.urges_only`).
        beyond: the NLU read ``text`` as out of scope: only entries that take such
            messages (``beyond: true``) count.
        answered: the knowledge base answers ``text``: only entries that take such
            questions (``answered: true``) count.
    """
    for follow_up in _default():
        if (beyond and not follow_up.beyond) or (answered and not follow_up.answered):
            continue
        recent = earlier[: follow_up.within]
        if follow_up.after.intersection(recent) and follow_up.fits(text, urged):
            if follow_up.becomes == SAME:  # "那HP20240001也能这么弄吗": that request again
                return next(str(i) for i in recent if i in follow_up.after)
            return follow_up.becomes
    return None


def kept_intent(parse_data: dict[str, Any], earlier: Sequence[str | None]) -> str | None:
    """The request a message the robot would not act on continues, ``None`` if none.

    Args:
        parse_data: the message's parse result (``intent``, ``entities``, the second
            opinion, :data:`~zhike.common.topic_names.UNANSWERED_KEY` ...).
        earlier: the intents of the customer's earlier messages in this session, the
            latest first.

    Returns:
        For a message declined only because the second opinion overruled DIET's
        request, that request when it is the one of the message right before ("那
        iphone15能贴吗" after a product question); else, for a declined message, a
        question no entry answers or a bare statement (``inform`` without a number), the
        request a follow-up in its words continues (:func:`continued_request`). An urge
        that names nothing ("能不能早点来 我着急用", :func:`~zhike.common.urges.urges_only`)
        is such a follow-up whatever the NLU read (a parcel query, sure).
    """
    intent = (parse_data.get("intent") or {}).get("name")
    if parse_data.get(BEYOND_KEY):
        return None  # declined for its topic, not for the models' doubt
    if parse_data.get(KEPT_KEY):
        return None  # put back once already: it is that request now
    text = str(parse_data.get("text") or "")
    if urges_only(text):  # "能不能早点来" names nothing: it urges the answer just given
        kept = continued_request(earlier, text, urged=True)
        return kept if kept != intent else None
    if intent == FALLBACK:
        opinion = parse_data.get(SECOND_OPINION_KEY) or {}
        overruled = opinion.get(OVERRULED_KEY) if isinstance(opinion, dict) else None
        if overruled in BUSINESS_INTENTS and list(earlier[:1]) == [overruled]:
            return str(overruled)
    elif intent == OUT_OF_SCOPE:  # "那怎么办" right after a request refused
        return continued_request(earlier, text, beyond=True)
    elif intent == QUESTION_INTENT:
        if not parse_data.get(UNANSWERED_KEY):  # the knowledge base answers it, in general:
            return continued_request(earlier, text, answered=True)  # its own refund's time
    elif intent != INFORM or any(
        entity.get("entity") in NUMBER_ENTITIES for entity in parse_data.get("entities") or []
    ):
        return None  # a request, or a number that starts its own lookup
    # "老师是谁啊" right after the lessons: a detail of the answer just given
    return continued_request(earlier, text)


def earlier_intents(events: Iterable[dict[str, Any]], most: int = 5) -> list[str | None]:
    """The intents of the customer's messages before the latest one, latest first.

    Args:
        events: the conversation's applied events as dicts (Rasa's wire format), oldest
            first.
        most: how many to return at most; only this session's count.
    """
    intents: list[str | None] = []
    users = 0
    for event in reversed(list(events)):
        if event.get("event") == "session_started" or len(intents) >= most:
            break
        if event.get("event") == "user":
            users += 1
            if users > 1:
                intents.append(_acted_intent(event.get("parse_data") or {}))
    return intents


def _acted_intent(parse_data: dict[str, Any]) -> str | None:
    """The message's intent; a declined or bare one naming an order is that order's lookup.

    "帮我查下HP20240005", declined by the NLU, still looked the order up (a rule starts
    the lookup for an order number): "那我自己的呢" right after follows that lookup.
    """
    intent = (parse_data.get("intent") or {}).get("name")
    entities = parse_data.get("entities") or []
    if intent in (FALLBACK, INFORM) and any(e.get("entity") == "order_id" for e in entities):
        return ORDER_LOOKUP
    return intent
