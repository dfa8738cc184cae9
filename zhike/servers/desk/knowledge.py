"""The FAQ knowledge base agent assist suggests answers from (``data/nlu/faq.yml``).

The file is read once, lazily and off the event loop: each ``faq/<key>`` intent with its
training examples and the answer of ``utter_faq/<key>`` in ``responses:``. Without Rasa,
:meth:`FaqKnowledgeBase.rank_local` ranks the FAQs by character-bigram overlap between
the customer's message and each FAQ's examples.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ: its key (``return_policy``), its examples and its answer text."""

    key: str
    examples: tuple[str, ...]
    answer: str

    @property
    def question(self) -> str:
        """The first example, shown as the FAQ's title."""
        return self.examples[0] if self.examples else self.key


def normalize(text: str) -> str:
    """Lower case, full-width folded (NFKC), without punctuation and spaces."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of the normalized text (its characters when shorter)."""
    norm = normalize(text)
    if len(norm) < 2:
        return frozenset(norm)
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def similarity(
    left: frozenset[str], right: frozenset[str], weight: Callable[[str], float] | None = None
) -> float:
    """The (weighted) Dice coefficient of two bigram sets (0 when either is empty)."""
    if not left or not right:
        return 0.0
    w = weight or (lambda _gram: 1.0)
    total = sum(map(w, left)) + sum(map(w, right))
    return 2 * sum(map(w, left & right)) / total if total else 0.0


def parse_faq(document: Any) -> dict[str, FaqEntry]:
    """The FAQ entries of a parsed Rasa NLU YAML document, by key.

    Only FAQs with an answer are kept (an intent without ``utter_faq/<key>`` is skipped).
    """
    if not isinstance(document, dict):
        return {}
    examples: dict[str, list[str]] = {}
    for item in document.get("nlu") or []:
        intent = item.get("intent") if isinstance(item, dict) else None
        if not isinstance(intent, str) or not intent.startswith(f"{RETRIEVAL_INTENT}/"):
            continue
        lines = str(item.get("examples") or "").splitlines()
        texts = [line.strip()[1:].strip() for line in lines if line.strip().startswith("-")]
        examples.setdefault(intent.split("/", 1)[1], []).extend(t for t in texts if t)
    entries: dict[str, FaqEntry] = {}
    responses = document.get("responses") or {}
    for name, variants in responses.items() if isinstance(responses, dict) else ():
        if not str(name).startswith(f"utter_{RETRIEVAL_INTENT}/") or not variants:
            continue
        key = str(name).split("/", 1)[1]
        first = variants[0] if isinstance(variants, list) else None
        answer = first.get("text") if isinstance(first, dict) else None
        if isinstance(answer, str) and answer.strip():
            entries[key] = FaqEntry(key, tuple(examples.get(key, ())), answer.strip())
    return entries


class FaqKnowledgeBase:
    """The FAQ answers, loaded from ``path`` on first use.

    Args:
        path: A Rasa NLU YAML file with ``faq/*`` intents and ``utter_faq/*`` responses.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, FaqEntry] | None = None
        self._grams: dict[str, tuple[frozenset[str], ...]] = {}
        self._idf: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def entries(self) -> dict[str, FaqEntry]:
        """Every FAQ by key; reads the file once, in a worker thread.

        An unreadable or malformed file is logged and counts as an empty knowledge base.
        """
        if self._entries is None:
            async with self._lock:
                if self._entries is None:
                    self._entries = await asyncio.to_thread(self._load)
                    self._grams = {
                        key: tuple(bigrams(example) for example in entry.examples)
                        for key, entry in self._entries.items()
                    }
                    self._idf = _idf(self._grams)
        return self._entries

    def _load(self) -> dict[str, FaqEntry]:
        try:
            with self.path.open(encoding="utf-8") as stream:
                entries = parse_faq(yaml.safe_load(stream))
        except (OSError, yaml.YAMLError):
            logger.exception("Cannot read the FAQ knowledge base %s", self.path)
            return {}
        logger.info("Loaded %d FAQ answers from %s", len(entries), self.path)
        return entries

    async def answer(self, key: str) -> FaqEntry | None:
        """The FAQ of ``key`` (``return_policy`` or ``faq/return_policy``), or None."""
        prefix = f"{RETRIEVAL_INTENT}/"
        return (await self.entries()).get(key[len(prefix) :] if key.startswith(prefix) else key)

    async def rank_local(self, text: str, limit: int = 3) -> list[tuple[FaqEntry, float]]:
        """The ``limit`` FAQs most similar to ``text``, best first, with scores in (0, 1].

        A FAQ's score is its best example's bigram similarity, each bigram weighted by
        how rare it is among the FAQs (so 我想 or 怎么 count little); FAQs sharing no
        bigram with the text are left out.
        """
        entries = await self.entries()
        wanted = bigrams(text)
        rare = math.log(1 + len(entries) * 2)

        def weight(gram: str) -> float:
            return self._idf.get(gram, rare)

        scored = [
            (entry, max((similarity(wanted, g, weight) for g in self._grams[key]), default=0.0))
            for key, entry in entries.items()
        ]
        scored = [(entry, round(score, 4)) for entry, score in scored if score > 0]
        scored.sort(key=lambda pair: (-pair[1], pair[0].key))
        return scored[:limit]


def _idf(grams: dict[str, tuple[frozenset[str], ...]]) -> dict[str, float]:
    """``log(1 + N / df)`` of every bigram, ``df`` = the number of FAQs using it."""
    frequency: Counter[str] = Counter()
    for examples in grams.values():
        frequency.update(frozenset().union(*examples))
    return {gram: math.log(1 + len(grams) / df) for gram, df in frequency.items()}
