"""The journal of app pushes: one row per delivery, so a restart loses none.

:class:`~zhike.channels.app.push.PushDelivery` writes a row (table ``app_push``) before the
first attempt of a delivery and updates it after every attempt: ``pending`` until the app
backend accepts it (``delivered``) or retrying gives up (``failed``). The row keeps the
exact request body, so a delivery resumed by another process is byte-for-byte the same,
with the same ``delivery_id``.

Several processes may share one database (Rasa replicas on one PostgreSQL): each pending
row is *leased* to the process delivering it (``owner``, ``lease_until``), which renews
the lease while it lives and releases it when it stops. A row whose lease ran out (its
process stopped or died) is claimed by the next process that looks; two processes never
claim the same row at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from zhike.common.database import AsyncDatabase, state_sqlite_url

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
DEFAULT_DB_FILE = "app_push.db"
DAY = 24 * 3600.0
CLAIM_LIMIT = 1000  # rows per claim; the next maintenance takes more

push_metadata = MetaData()

app_push = Table(
    "app_push",
    push_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(64), nullable=False, unique=True),
    Column("customer_id", String(255), nullable=False),
    Column("body", LargeBinary, nullable=False),  # the exact JSON request body
    Column("state", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),  # unix seconds
    Column("last_error", String(64), nullable=True),  # "HTTP 503", "ConnectError": no data
    Column("owner", String(96), nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("queued_at", Float, nullable=False),  # the order of a customer's deliveries
    Column("updated_at", Float, nullable=False),
    Index("ix_app_push_claim", "state", "lease_until"),
    Index("ix_app_push_owner", "owner", "state"),
    Index("ix_app_push_history", "state", "updated_at"),
)


def default_push_db_url() -> str:
    """SQLite ``.zhike/app_push.db`` under the working directory, like zhike's other state."""
    return state_sqlite_url(DEFAULT_DB_FILE)


@dataclass(frozen=True)
class PushStoreSettings:
    """Where the journal lives and how it is kept.

    Attributes:
        url: an async SQLAlchemy URL (``sqlite+aiosqlite:///...``,
            ``postgresql+asyncpg://...``).
        lease: seconds a process holds its pending rows without renewing them; rows of a
            process that died are resumed by another one this long after its last renewal.
            Leases are renewed, and orphaned rows looked for, every third of it.
        retention: seconds delivered and failed rows are kept before they are deleted.
        timeout: seconds one journal operation may take before it counts as failed.
    """

    url: str
    lease: float = 30.0
    retention: float = 7 * DAY
    timeout: float = 5.0


@dataclass(frozen=True)
class StoredPush:
    """A pending row, as a process resuming it needs it."""

    delivery_id: str
    customer_id: str
    body: bytes
    attempts: int
    next_attempt_at: float


class PushStore(AsyncDatabase):
    """The ``app_push`` table on SQLite or PostgreSQL (create it inside the serving loop).

    Every method is one transaction. ``now`` is unix seconds; ``owner`` names the calling
    process.
    """

    metadata = push_metadata

    async def add(
        self,
        delivery_id: str,
        customer_id: str,
        body: bytes,
        queued_at: float,
        owner: str,
        now: float,
        lease: float,
    ) -> None:
        """Records a new pending delivery, leased to ``owner`` (no-op when it is there)."""
        try:
            async with self.transaction() as session:
                await session.execute(
                    insert(app_push).values(
                        delivery_id=delivery_id,
                        customer_id=customer_id,
                        body=body,
                        state=PENDING,
                        attempts=0,
                        next_attempt_at=0.0,
                        owner=owner,
                        lease_until=now + lease,
                        queued_at=queued_at,
                        updated_at=now,
                    )
                )
        except IntegrityError:  # an earlier add committed after its caller gave up on it
            async with self.session() as session:
                found = await session.execute(
                    select(app_push.c.id).where(app_push.c.delivery_id == delivery_id)
                )
                if found.first() is None:
                    raise

    async def retry_at(
        self, delivery_id: str, attempts: int, next_attempt_at: float, error: str, now: float
    ) -> None:
        """Records a failed attempt that will be retried at ``next_attempt_at``."""
        async with self.transaction() as session:
            await session.execute(
                update(app_push)
                .where(app_push.c.delivery_id == delivery_id, app_push.c.state == PENDING)
                .values(
                    attempts=attempts,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:64],
                    updated_at=now,
                )
            )

    async def finish(
        self, delivery_id: str, state: str, attempts: int, error: str | None, now: float
    ) -> None:
        """Marks a delivery ``delivered`` or ``failed``; it is never attempted again."""
        async with self.transaction() as session:
            await session.execute(
                update(app_push)
                .where(app_push.c.delivery_id == delivery_id)
                .values(
                    state=state,
                    attempts=attempts,
                    last_error=error[:64] if error else None,
                    lease_until=0.0,
                    updated_at=now,
                )
            )

    async def claim(self, owner: str, now: float, lease: float) -> list[StoredPush]:
        """Leases to ``owner`` the pending rows of other processes whose lease ran out.

        Returns them ordered as queued, so each customer's order is kept. ``owner``'s own
        rows are never returned: it is delivering them (a stopped process's next life
        has a new owner name).
        """
        async with self.transaction() as session:
            # PostgreSQL: rows another claimer has locked are skipped, and a locked row is
            # re-checked once free; SQLite: BEGIN IMMEDIATE lets one claimer in at a time.
            rows = (
                await session.execute(
                    select(
                        app_push.c.id,
                        app_push.c.delivery_id,
                        app_push.c.customer_id,
                        app_push.c.body,
                        app_push.c.attempts,
                        app_push.c.next_attempt_at,
                    )
                    .where(
                        app_push.c.state == PENDING,
                        app_push.c.lease_until < now,
                        app_push.c.owner != owner,
                    )
                    .order_by(app_push.c.queued_at, app_push.c.id)
                    .limit(CLAIM_LIMIT)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await session.execute(
                    update(app_push)
                    .where(app_push.c.id.in_([row[0] for row in rows]))
                    .values(owner=owner, lease_until=now + lease)
                )
            return [StoredPush(*row[1:]) for row in rows]

    async def renew(self, owner: str, now: float, lease: float) -> None:
        """Extends the lease on every pending row of ``owner``."""
        async with self.transaction() as session:
            await session.execute(
                update(app_push)
                .where(app_push.c.owner == owner, app_push.c.state == PENDING)
                .values(lease_until=now + lease)
            )

    async def release(self, owner: str) -> None:
        """Gives up ``owner``'s pending rows: the next process to look resumes them at once."""
        async with self.transaction() as session:
            await session.execute(
                update(app_push)
                .where(app_push.c.owner == owner, app_push.c.state == PENDING)
                .values(lease_until=0.0)
            )

    async def prune(self, before: float) -> int:
        """Deletes delivered and failed rows last changed before ``before``; returns how many."""
        async with self.transaction() as session:
            result = await session.execute(
                delete(app_push).where(
                    and_(
                        or_(app_push.c.state == DELIVERED, app_push.c.state == FAILED),
                        app_push.c.updated_at < before,
                    )
                )
            )
            return int(result.rowcount or 0)

    async def states(self) -> dict[str, str]:
        """``delivery_id -> state`` of every row (tests and diagnostics)."""
        async with self.session() as session:
            rows = await session.execute(select(app_push.c.delivery_id, app_push.c.state))
            return {delivery_id: state for delivery_id, state in rows}
