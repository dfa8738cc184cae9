"""The background inspection job: finished conversations into QA records, once each.

Nothing is inspected while a page waits: the desk runs :class:`InspectionJob` every
:data:`INTERVAL` seconds in the background on each replica (and ``python -m zhike.qa
inspect`` runs :func:`backfill`). Each round:

1. takes the lease (the ``qa_state`` row ``jobs``, locked in its transaction: holder and
   expiry, renewed before a conversation once a quarter of it has passed). Of several
   replicas one works at a time; the others find the lease held and wait for the next
   round. A holder that stopped is replaced :data:`LEASE_SECONDS` after its last renewal;
2. reads the conversations an agent served that were closed or rated since the stored
   mark (``handoff_conversations.updated_at``), and inspects those whose record is
   missing or was made with another rating. A close the analytics consumer has not yet
   tied to its session waits up to :data:`LINK_GRACE` for the whole transcript, then the
   desk's part is inspected;
3. reads the conversations no agent took part in (analytics sessions without a handoff,
   or whose handoff no agent accepted: after hours, nobody online) that ended since the
   second mark — a new session of the customer, a rating, or ``idle`` without a message —
   and inspects those whose record is missing or was made with another rating or end.
   This mark never passes ``now - idle``, so a session still going is read again later;
4. stores both marks (only while still holding the lease; the first never passes
   ``now - SETTLE``, since a close is stamped before its transaction commits) and
   answers the customers involved, whose tags the desk then recomputes under the same
   lease.

The marks only move over conversations done, and a crash between an inspection and the
marks' update only means reading those rows again: the missing-or-changed check skips
them. So each conversation is inspected once, and again only when it changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics.models import HandoffRow
from zhike.common.database import keyset_after
from zhike.lib.handoff.models import CLOSED, Conversation
from zhike.lib.qa import store
from zhike.lib.qa.models import CLEAN
from zhike.lib.qa.service import QaService
from zhike.lib.qa.transcripts import finished_sessions

LEASE_KEY = "jobs"
LEASE_SECONDS = 20.0
INTERVAL = 5.0  # seconds between two rounds of a replica
LOOKBACK = timedelta(days=7)  # where a job without marks starts
OVERLAP = timedelta(seconds=10)  # rows this long before a mark are read again
SETTLE = timedelta(seconds=60)  # the handoff mark never passes now minus this
LINK_GRACE = timedelta(seconds=60)
PAGE = 200
MAX_PAGES = 10  # per kind and round: a large backlog is worked off over several rounds
DEFAULT_IDLE = timedelta(minutes=30)


@dataclass
class RoundResult:
    """What a round did (``held``: False when another replica holds the lease)."""

    held: bool
    inspected: int = 0
    flagged: int = 0
    customers: set[str] = field(default_factory=set)


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(timezone.utc).isoformat() if at is not None else None


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class _Closed:
    id: int
    updated_at: datetime
    closed_at: datetime | None
    rating: int | None
    customer_id: str | None


async def closed_conversations(
    qa: QaService, since: datetime, after: tuple[datetime, int] | None, limit: int = PAGE
) -> list[_Closed]:
    """Closed, agent-served conversations changed since ``since``, by (change, id)."""
    query = select(
        Conversation.id,
        Conversation.updated_at,
        Conversation.closed_at,
        Conversation.rating,
        Conversation.customer_id,
    ).where(
        Conversation.state == CLOSED,
        Conversation.agent_assigned_at.is_not(None),
        Conversation.updated_at >= since,
    )
    query = query.where(*keyset_after(Conversation.updated_at, Conversation.id, after))
    query = query.order_by(Conversation.updated_at, Conversation.id).limit(limit)
    async with qa.handoff.db.session() as session:
        return [_Closed(*row) for row in (await session.execute(query)).all()]


def _count(result: RoundResult, record: dict[str, object], customer: str | None) -> None:
    result.inspected += 1
    result.flagged += record.get("status") != CLEAN
    if customer:
        result.customers.add(customer)


class InspectionJob:
    """One replica's share of the background inspection (see the module docstring).

    Args:
        qa: The inspection service (with the analytics tables for whole transcripts and
            bot-only conversations).
        holder: This replica's name in the lease (unique per process).
        idle: A bot-only conversation silent this long has ended.
        wall: Seconds since the epoch (the lease's clock).
    """

    def __init__(
        self,
        qa: QaService,
        holder: str,
        idle: timedelta = DEFAULT_IDLE,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.qa = qa
        self.holder = holder
        self.idle = idle
        self.wall = wall
        self._renewed_at = float("-inf")

    async def _lease(self, take: bool, marks: dict[str, str | None] | None = None) -> bool:
        """Takes or renews the lease (and stores ``marks``); False when another holds it."""

        async def work(session: AsyncSession) -> bool:
            row = await store.locked_document(session, LEASE_KEY, self.qa.clock())
            value = dict(row.value or {})
            now = self.wall()
            mine = value.get("holder") == self.holder
            if not mine and (not take or float(value.get("until") or 0) > now):
                return False
            value.update(holder=self.holder, until=now + LEASE_SECONDS, **(marks or {}))
            row.value = value
            return True

        await self.qa.ensure()
        started = self.wall()
        held = await self.qa.db.run(work)
        self._renewed_at = started if held else float("-inf")
        return held

    async def renew(self) -> bool:
        """Extends the lease this job holds; False when it lost it."""
        return await self._lease(take=False)

    async def keep(self) -> bool:
        """Renews the lease when a quarter of it has passed; False when it was lost.

        Called before each conversation: the lease then has at least 15 s left when the
        work starts, far more than one inspection or tag computation takes.
        """
        if self.wall() - self._renewed_at < LEASE_SECONDS / 4:
            return True
        return await self.renew()

    async def release(self) -> None:
        """Gives the lease back (another replica takes it on its next round)."""

        async def work(session: AsyncSession) -> None:
            row = await store.locked_document(session, LEASE_KEY, self.qa.clock())
            if (row.value or {}).get("holder") == self.holder:
                row.value = {**row.value, "holder": None, "until": 0}

        await self.qa.db.run(work)

    async def round(self) -> RoundResult:
        """Inspects what finished since the marks, if this replica gets the lease."""
        if not await self._lease(take=True):
            return RoundResult(held=False)
        marks = await store.read_document(self.qa.db, LEASE_KEY) or {}
        result = RoundResult(held=True)
        now = self.qa.clock().astimezone(timezone.utc)
        handoff_mark = await self._handoffs(_parse(marks.get("handoffs")), now, result)
        session_mark = await self._sessions(_parse(marks.get("sessions")), now, result)
        if handoff_mark is not None or session_mark is not None:
            saved = {"handoffs": _iso(handoff_mark), "sessions": _iso(session_mark)}
            await self._lease(take=False, marks={k: v for k, v in saved.items() if v})
        return result

    async def _linked(self, episode_id: int) -> bool:
        if self.qa.analytics is None:
            return True
        async with self.qa.analytics.session() as session:
            row = await session.get(HandoffRow, episode_id)
        return row is not None and row.session_key is not None

    async def _handoffs(
        self, mark: datetime | None, now: datetime, result: RoundResult
    ) -> datetime | None:
        since = (mark - OVERLAP) if mark else now - LOOKBACK
        after: tuple[datetime, int] | None = None
        moved, waiting = mark, False
        for _ in range(MAX_PAGES):
            rows = await closed_conversations(self.qa, since, after)
            views = await store.inspected_views(self.qa.db, [row.id for row in rows])
            for row in rows:
                due = row.id not in views or views[row.id][0] != row.rating
                recent = row.closed_at is not None and row.closed_at > now - LINK_GRACE
                if due and recent and not await self._linked(row.id):
                    waiting = True  # the mark stays before it: read again next round
                    continue
                if due:
                    if not await self.keep():
                        return None
                    record = await self.qa.inspect(row.id)
                    if record is not None:
                        _count(result, record, row.customer_id)
                if not waiting:
                    moved = row.updated_at
            if len(rows) < PAGE:
                break
            after = (rows[-1].updated_at, rows[-1].id)
        # A close is stamped before its transaction commits: the mark stays SETTLE behind
        # now, so one committed late (a wait for a connection or a row lock) is still read.
        return min(moved, now - SETTLE) if moved else moved

    async def _sessions(
        self, mark: datetime | None, now: datetime, result: RoundResult
    ) -> datetime | None:
        if self.qa.analytics is None:
            return None
        since = min(mark or now - LOOKBACK, now - self.idle) - OVERLAP
        after: tuple[datetime, int] | None = None
        moved = mark
        for _ in range(MAX_PAGES):
            found = await finished_sessions(self.qa.analytics, since, now, self.idle, after, PAGE)
            views = await store.inspected_views(self.qa.db, [-s.id for s in found])
            for item in found:
                if views.get(-item.id) != (item.rating, item.last_at):
                    if not await self.keep():
                        return None
                    record = await self.qa.inspect_session(item)
                    if record is not None:
                        _count(result, record, item.customer_id)
                moved = max(moved, item.last_at) if moved else item.last_at
            if len(found) < PAGE:
                break
            after = (found[-1].last_at, found[-1].id)
        # A session silent for less than ``idle`` may still be going: the mark never passes
        # ``now - idle``, so one that ends later is read even after the job was down.
        return min(moved, now - self.idle) if moved else None


async def closed_since(qa: QaService, since: datetime) -> list[_Closed]:
    """Closed, agent-served conversations closed or rated since ``since``."""
    query = (
        select(
            Conversation.id,
            Conversation.updated_at,
            Conversation.closed_at,
            Conversation.rating,
            Conversation.customer_id,
        )
        .where(
            Conversation.state == CLOSED,
            Conversation.agent_assigned_at.is_not(None),
            or_(Conversation.closed_at >= since, Conversation.rated_at >= since),
        )
        .order_by(Conversation.closed_at)
    )
    async with qa.handoff.db.session() as session:
        return [_Closed(*row) for row in (await session.execute(query)).all()]


async def backfill(qa: QaService, since: datetime, everything: bool) -> RoundResult:
    """Inspects what finished since ``since`` (the CLI): due ones, or ``everything``.

    Uses no lease or marks: records are replaced, never duplicated, so running it while
    the background job runs, or twice, is harmless.
    """
    result = RoundResult(held=True)
    rows = await closed_since(qa, since)
    views = await store.inspected_views(qa.db, [row.id for row in rows])
    for row in rows:
        if everything or row.id not in views or views[row.id][0] != row.rating:
            record = await qa.inspect(row.id)
            if record is not None:
                _count(result, record, row.customer_id)
    if qa.analytics is None:
        return result
    now, after = qa.clock().astimezone(timezone.utc), None
    while True:
        found = await finished_sessions(qa.analytics, since, now, DEFAULT_IDLE, after, PAGE)
        views = await store.inspected_views(qa.db, [-item.id for item in found])
        for item in found:
            if everything or views.get(-item.id) != (item.rating, item.last_at):
                record = await qa.inspect_session(item)
                if record is not None:
                    _count(result, record, item.customer_id)
        if len(found) < PAGE:
            return result
        after = (found[-1].last_at, found[-1].id)
