"""The push journal as :class:`~zhike.channels.app.push.PushDelivery` uses it: it never raises.

Wraps :class:`~zhike.channels.app.push_store.PushStore` so that a journal that fails (disk
full, database down or slow) never stops or drops a push: the operation is given up after
``timeout`` seconds, a warning is logged once per outage (the exception's type only: its
text could quote a message), and the delivery carries on in memory. The next
:meth:`PushJournal.maintain` creates the table again if needed and records outcomes that
could not be written (so a delivered row is not resumed and sent again).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from zhike.channels.app.push_store import PushStore, PushStoreSettings, StoredPush
from zhike.common.database import safe_url

logger = logging.getLogger("zhike.channels.app.push")

PRUNE_EVERY = 3600.0


class PushJournal:
    """Failure-tolerant access to the push journal of one process.

    Create it anywhere; the database engine is made by :meth:`open`, inside the loop.

    Args:
        settings: the database and lease settings.
        clock: unix time.
    """

    def __init__(self, settings: PushStoreSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.owner = _owner_name()
        self._clock = clock
        self._store: PushStore | None = None
        self._tables = False
        self._down = False
        self._next_prune = 0.0
        self._unsettled: dict[str, tuple[str, int, str | None]] = {}

    @property
    def interval(self) -> float:
        """Seconds between two :meth:`maintain` calls (a third of the lease)."""
        return max(self.settings.lease / 3, 0.05)

    async def open(self) -> list[StoredPush]:
        """Creates the table if needed and claims the pending rows of stopped processes."""
        if self._store is None:
            self.owner = _owner_name()  # here, in the serving process (after any fork)
            try:
                self._store = PushStore(self.settings.url)
            except Exception as exc:  # a bad URL or a directory that cannot be made
                self._failed("opening", exc)
                return []
            logger.info("push: journal at %s", safe_url(self.settings.url))
        return await self.maintain()

    async def maintain(self) -> list[StoredPush]:
        """Keeps the journal in order; returns orphaned rows this process must now deliver.

        Creates the table when it is missing (or after a failure), writes outcomes a
        failure held back, renews this process's leases, claims other processes' rows
        whose lease ran out and, once an hour, deletes old history.
        While the journal fails, this is what finds out it works again.
        """
        store = self._store
        if store is None:
            return []
        if self._down or not self._tables:
            self._tables = await self._run("creating the table", store.create_tables)
            if not self._tables:
                return []
        for delivery_id, (state, attempts, error) in list(self._unsettled.items()):
            if await self._finish(store, delivery_id, state, attempts, error):
                del self._unsettled[delivery_id]
        now, lease = self._clock(), self.settings.lease
        await self._run("renewing leases", lambda: store.renew(self.owner, now, lease))
        claimed: list[StoredPush] = []

        async def claim() -> None:
            claimed.extend(await store.claim(self.owner, now, lease))

        await self._run("claiming", claim)
        if now >= self._next_prune:
            pruned: list[int] = []

            async def prune() -> None:
                pruned.append(await store.prune(now - self.settings.retention))

            if await self._run("pruning", prune):
                self._next_prune = now + PRUNE_EVERY
                if pruned[0]:
                    logger.info("push: deleted %d old journal rows", pruned[0])
        return claimed

    async def add(self, delivery_id: str, customer_id: str, body: bytes, queued_at: float) -> bool:
        """Records a new delivery before its first attempt; False when it could not."""
        store = self._store
        if store is None or self._down or not self._tables:
            return False
        now, lease = self._clock(), self.settings.lease
        return await self._run(
            "storing a delivery",
            lambda: store.add(delivery_id, customer_id, body, queued_at, self.owner, now, lease),
        )

    async def retry_at(
        self, delivery_id: str, attempts: int, next_attempt_at: float, error: str
    ) -> None:
        """Records a failed attempt and when the next one is due (skipped while failing)."""
        store = self._store
        if store is not None and not self._down:
            now = self._clock()
            await self._run(
                "recording an attempt",
                lambda: store.retry_at(delivery_id, attempts, next_attempt_at, error, now),
            )

    async def finish(self, delivery_id: str, state: str, attempts: int, error: str | None) -> None:
        """Records the outcome; kept and written later when the journal fails now."""
        store = self._store
        if store is None:
            return
        if self._down or not await self._finish(store, delivery_id, state, attempts, error):
            self._unsettled[delivery_id] = (state, attempts, error)

    async def close(self) -> bool:
        """Releases this process's pending rows to the next one; False when that failed."""
        store, self._store = self._store, None
        if store is None:
            return False
        for delivery_id, (state, attempts, error) in list(self._unsettled.items()):
            await self._finish(store, delivery_id, state, attempts, error)
        self._unsettled.clear()  # not written: sent again, with the same id, after a restart
        released = self._tables and await self._run(
            "releasing leases", lambda: store.release(self.owner)
        )
        self._tables = False
        try:
            await store.dispose()
        except Exception as exc:
            self._failed("closing", exc)
        return released

    async def _finish(
        self, store: PushStore, delivery_id: str, state: str, attempts: int, error: str | None
    ) -> bool:
        now = self._clock()
        return await self._run(
            "recording an outcome",
            lambda: store.finish(delivery_id, state, attempts, error, now),
        )

    async def _run(self, what: str, operation: Callable[[], Awaitable[object]]) -> bool:
        """Runs ``operation`` within the timeout; whether it succeeded (failures are logged)."""
        try:
            await asyncio.wait_for(operation(), self.settings.timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(what, exc)
            return False
        if self._down:
            self._down = False
            logger.warning("push: the journal works again")
        return True

    def _failed(self, what: str, exc: BaseException) -> None:
        if self._down:
            logger.debug("push: journal still failing (%s: %s)", what, type(exc).__name__)
            return
        self._down = True
        logger.warning(
            "push: the journal failed (%s: %s); deliveries carry on in memory (a restart "
            "would lose those not stored) until it works again",
            what,
            type(exc).__name__,
        )


def _owner_name() -> str:
    """This process (host, pid) and a random part: unique per :class:`PushJournal` life."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
