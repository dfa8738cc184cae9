"""The published knowledge base for synchronous callers, refreshed by a thread of its own.

Rasa runs its NLU pipeline synchronously, so a pipeline component cannot await the
database. :class:`BackgroundKnowledge` keeps a :class:`~zhike.lib.kb.live.LiveKnowledge`
in a daemon thread with its own event loop, which checks the revision every
``refresh_seconds`` and swaps in a new index; a lookup reads the current index without
waiting (``None`` until the first index is built, or while the database was never
reachable). Nothing starts before :meth:`BackgroundKnowledge.start` or the first lookup.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from zhike.lib.kb.live import KnowledgeUnavailable, LiveKnowledge, Lookup

logger = logging.getLogger(__name__)


class BackgroundKnowledge:
    """A :class:`LiveKnowledge` kept fresh by a daemon thread; lookups never block.

    Args:
        db_url: The knowledge base's async SQLAlchemy URL.
        refresh_seconds: Time between two checks of the revision.
    """

    def __init__(self, db_url: str, refresh_seconds: float = 2.0) -> None:
        self.live = LiveKnowledge(db_url, refresh_seconds=refresh_seconds)
        self.refresh_seconds = refresh_seconds
        self._stop = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        """Starts the refreshing thread (once)."""
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="zhike-kb-refresh", daemon=True
                )
                self._thread.start()

    def lookup(
        self, text: str, k: int = 3, rules: bool = False, named: str | None = None
    ) -> Lookup | None:
        """The current index's :class:`Lookup` for ``text`` (``None``: no index yet).

        ``rules``: the message is a request asked about the rules; ``named``: the question
        of the entry its words name (:func:`zhike.lib.kb.retrieval.decide`).
        """
        self.start()
        return self.live.lookup_now(text, k, rules=rules, named=named)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the thread and closes its database."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.run(self._refresh_until_stopped())

    async def _refresh_until_stopped(self) -> None:
        warned = False
        try:
            while not self._stop.is_set():
                try:
                    await self.live.refresh(force=True)
                    self.ready.set()
                    warned = False
                except KnowledgeUnavailable:
                    if not warned:
                        logger.warning("knowledge base unavailable; retrying in the background")
                        warned = True
                await asyncio.sleep(self.refresh_seconds)
        finally:
            await self.live.close()
