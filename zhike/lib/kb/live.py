"""The published knowledge base as one process answers from it, kept fresh by polling.

:class:`LiveKnowledge` holds a search index of the published entries valid today. Before
a lookup it asks the database for the knowledge base's revision, at most every
``refresh_seconds`` (2 s by default): a publish, an archive or a new day rebuilds the
index, so a change staff publish in the desk reaches every Rasa and action-server
replica within seconds, without retraining or a restart. The revision is one row
(``kb_state``), so polling costs one indexed read.

A lookup's ``decision`` comes from the calibrated thresholds of
:mod:`zhike.lib.kb.retrieval`: ``answer`` (say the best entry's answer, also a clearly
best entry below the threshold), ``suggest``
("您是想问：" with the closest questions) or ``none`` (own up, offer 转人工).

The database is opened in the event loop of the first call: one :class:`LiveKnowledge`
per loop. :func:`shared_knowledge` is the action server's (``ZHIKE_KB_DB_URL``; an empty
knowledge base is seeded from ``ZHIKE_KB_SEED`` when that names a file).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import SERVICE, Actor, PublishedEntry, Snapshot
from zhike.lib.kb.errors import KbError
from zhike.lib.kb.retrieval import (
    DEFAULT_THRESHOLDS,
    IndexedEntry,
    Searcher,
    Thresholds,
    decide,
)
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.settings import kb_db_url
from zhike.lib.kb.unanswered import UnansweredQueue

logger = logging.getLogger(__name__)

SEED_ENV = "ZHIKE_KB_SEED"
ROBOT = Actor("robot", SERVICE)


class KnowledgeUnavailable(Exception):
    """The knowledge base could not be read (its database is down or misconfigured)."""


@dataclass(frozen=True)
class KnowledgeHit:
    """A published entry and how well it matches the customer's words (0 to 1)."""

    entry: PublishedEntry
    score: float


@dataclass(frozen=True)
class Lookup:
    """The best entries for a message and what to do: answer, suggest or none.

    ``by_margin``: the answer is the clearly best entry below the answer threshold
    (:meth:`~zhike.lib.kb.retrieval.Thresholds.clearly_best`), a weaker answer than one at
    the threshold: the NLU's knowledge gate lets an unsure request keep its buttons.
    """

    decision: str
    hits: tuple[KnowledgeHit, ...]
    by_margin: bool = False


@dataclass(frozen=True)
class _Index:
    revision: int
    day: date
    searcher: Searcher
    entries: Mapping[int, PublishedEntry]


class LiveKnowledge:
    """The published entries of one knowledge base, searchable and kept up to date.

    Args:
        db_url: The knowledge base's async SQLAlchemy URL.
        refresh_seconds: How long an index is used before the revision is checked again.
        thresholds: Where an answer and a suggestion start.
        seed: A knowledge-base file (YAML/CSV/XLSX) imported and published when the
            knowledge base is empty.
        kb: An open knowledge base to use instead of opening ``db_url`` (its owner
            closes it).
    """

    def __init__(
        self,
        db_url: str = "",
        refresh_seconds: float = 2.0,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        seed: Path | None = None,
        kb: KnowledgeBase | None = None,
    ) -> None:
        self.db_url = db_url
        self.refresh_seconds = refresh_seconds
        self.thresholds = thresholds
        self.seed = seed
        self._kb: KnowledgeBase | None = kb
        self._owned = kb is None
        self._index: _Index | None = None
        self._checked = float("-inf")
        self._lock: asyncio.Lock | None = None

    async def _base(self) -> KnowledgeBase:
        if self._kb is None:
            db = KbDatabase(self.db_url)
            await db.create_tables()
            kb = KnowledgeBase(db)
            if self.seed is not None:
                await ensure_seeded(kb, self.seed)
            self._kb = kb
        return self._kb

    async def refresh(self, force: bool = False) -> None:
        """Rebuilds the index when the revision or the day changed.

        The revision is checked at most every ``refresh_seconds`` unless ``force``.

        Raises:
            KnowledgeUnavailable: The database could not be read and there is no index.
        """
        if not force and time.monotonic() - self._checked < self.refresh_seconds:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not force and time.monotonic() - self._checked < self.refresh_seconds:
                return
            try:
                kb = await self._base()
                revision, today = await kb.revision(), kb.today()
                index = self._index
                if index is None or index.revision != revision or index.day != today:
                    self._index = await asyncio.to_thread(_build, await kb.snapshot(today), today)
            except KbError as error:
                if self._index is None:
                    raise KnowledgeUnavailable(str(error)) from error
                logger.warning("knowledge base not refreshed, answering from the last index")
            self._checked = time.monotonic()

    async def lookup(
        self,
        text: str,
        k: int = 3,
        question: bool = False,
        rules: bool = False,
        named: str | None = None,
    ) -> Lookup:
        """The ``k`` best published entries for ``text`` and the decision they lead to.

        ``question``: the NLU is sure ``text`` is a question; ``rules``: it is a request
        asked about the rules; ``named``: the question of the entry its words name (see
        :func:`decide`).
        """
        await self.refresh()
        found = self.lookup_now(text, k, question, rules, named)
        assert found is not None  # refresh raises otherwise
        return found

    def lookup_now(
        self,
        text: str,
        k: int = 3,
        question: bool = False,
        rules: bool = False,
        named: str | None = None,
    ) -> Lookup | None:
        """:meth:`lookup` on the index as it is, without a refresh (``None``: no index yet).

        Safe from another thread than the refreshing one: an index is never changed,
        only replaced.
        """
        index = self._index
        if index is None:
            return None
        # two hits at least: the runner-up tells whether the best one is clear
        found = [
            hit for hit in index.searcher.search(text, k=max(k, 2)) if hit.entry_id in index.entries
        ]
        hits = tuple(KnowledgeHit(index.entries[hit.entry_id], hit.score) for hit in found[:k])
        named_best = bool(found) and named is not None and hits[0].entry.question == named
        decision = decide(found, self.thresholds, question, rules, named_best)
        by_margin = decision == "answer" and found[0].score < self.thresholds.answer
        return Lookup(decision, hits, by_margin)

    async def entry(self, entry_id: int) -> PublishedEntry | None:
        """A published entry by id (``None`` once it is archived or out of date)."""
        await self.refresh()
        index = self._index
        return index.entries.get(entry_id) if index is not None else None

    async def record_unanswered(self, text: str, reason: str, channel: str) -> None:
        """Puts a message the robot could not answer into the unanswered-questions queue."""
        try:
            kb = await self._base()
            await UnansweredQueue(kb).record(text, reason, channel)
        except KbError as error:
            raise KnowledgeUnavailable(str(error)) from error

    async def record_answer(self, entry_id: int, channel: str) -> None:
        """Counts an answer given from the knowledge base (knowledge coverage)."""
        try:
            kb = await self._base()
            await UnansweredQueue(kb).record_answer(entry_id, channel)
        except KbError as error:
            raise KnowledgeUnavailable(str(error)) from error

    async def close(self) -> None:
        """Closes the database (the next call opens it again)."""
        if self._kb is not None and self._owned:
            await self._kb.db.dispose()
            self._kb, self._index = None, None
            self._checked = float("-inf")


def _build(snapshot: Snapshot, day: date) -> _Index:
    entries = {entry.id: entry for entry in snapshot.entries}
    searcher = Searcher.build([IndexedEntry(e.id, e.texts) for e in snapshot.entries])
    return _Index(snapshot.revision, day, searcher, entries)


_SHARED: dict[int, LiveKnowledge] = {}


def shared_knowledge(env: Mapping[str, str] | None = None) -> LiveKnowledge:
    """This event loop's :class:`LiveKnowledge` on ``ZHIKE_KB_DB_URL`` (made on first use)."""
    loop = asyncio.get_running_loop()
    live = _SHARED.get(id(loop))
    if live is None:
        values = os.environ if env is None else env
        seed = values.get(SEED_ENV)
        live = LiveKnowledge(kb_db_url(values), seed=Path(seed) if seed else None)
        _SHARED.clear()  # a new loop (a test, a restarted server): the old one is gone
        _SHARED[id(loop)] = live
    return live


async def close_shared_knowledge() -> None:
    """Closes and forgets the shared :class:`LiveKnowledge` (tests, a server stopping)."""
    for live in list(_SHARED.values()):
        await live.close()
    _SHARED.clear()


async def warm_up_knowledge(app: object = None, loop: object = None) -> None:
    """Starts building this loop's shared index in the background (a server listener)."""

    async def build() -> None:
        try:
            await shared_knowledge().refresh(force=True)
        except KnowledgeUnavailable:
            logger.warning("knowledge base unavailable at start; retried on the first question")

    task = asyncio.get_running_loop().create_task(build())
    _WARMING.add(task)  # a task nobody holds may be collected before it ran
    task.add_done_callback(_WARMING.discard)


_WARMING: set[asyncio.Task[None]] = set()
