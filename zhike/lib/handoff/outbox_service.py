"""The outbox's transactional facade for dispatchers and supervisors: one call, one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from zhike.common.times import utcnow
from zhike.lib.handoff import outbox
from zhike.lib.handoff.config import RetryPolicy
from zhike.lib.handoff.db import HandoffDatabase
from zhike.lib.handoff.models import DEAD, PENDING
from zhike.lib.handoff.results import OutboxInfo, OutboxItem


class HandoffOutbox:
    """Claims, settles and lists ``handoff_outbox`` rows (see :mod:`zhike.lib.handoff.outbox`).

    The rows themselves are written by :class:`~zhike.lib.handoff.service.HandoffService`
    (``notify_bot=True``) in the transaction of the state change they report.

    Args:
        db: The database holding the ``handoff_*`` tables.
        clock: Returns the current aware time; leases, backoff and ages are measured on it
            (use the service's clock).
        rng: The source of backoff jitter (tests pass a seeded one).
    """

    def __init__(
        self,
        db: HandoffDatabase,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.rng = rng or random.Random()

    def now(self) -> datetime:
        """The clock's time in UTC."""
        return self.clock().astimezone(timezone.utc)

    async def claim(self, owner: str, lease: timedelta, limit: int) -> list[OutboxItem]:
        """Leases up to ``limit`` due rows to ``owner``; see :func:`outbox.claim`.

        A read finds out first whether anything is due, so an idle dispatcher does not
        queue up for SQLite's write lock.
        """
        at = self.now()
        async with self.db.session() as session:
            if not await outbox.any_due(session, at):
                return []
        return await self.db.run(lambda s: outbox.claim(s, owner, at, lease, limit))

    async def settle(
        self, item: OutboxItem, owner: str, error: str | None, policy: RetryPolicy
    ) -> OutboxInfo | None:
        """Records an attempt's outcome (``error`` None: delivered); see :func:`outbox.settle`."""
        at = self.now()
        return await self.db.run(
            lambda s: outbox.settle(s, item, owner, at, error, policy, self.rng)
        )

    async def release(self, owner: str, ids: Sequence[int]) -> int:
        """Gives back ``owner``'s leases of these rows; see :func:`outbox.release`."""
        at = self.now()
        return await self.db.run(lambda s: outbox.release(s, owner, ids, at))

    async def entry(self, outbox_id: int) -> OutboxInfo | None:
        """One row, or None."""
        async with self.db.session() as session:
            return await outbox.entry(session, outbox_id)

    async def entries(
        self,
        states: Sequence[str] = (PENDING, DEAD),
        limit: int = 100,
        conversation_id: int | None = None,
    ) -> list[OutboxInfo]:
        """Rows in ``states`` (default: not delivered), newest first."""
        async with self.db.session() as session:
            return await outbox.entries(session, states, limit, conversation_id)

    async def counts(self) -> dict[str, int]:
        """``{"pending": n, "dead": m}``."""
        async with self.db.session() as session:
            return await outbox.counts(session)
