"""Customer tags in the desk database (``desk_customer_tags``), and when they were computed.

Automatic tags (``source`` ``auto``) are written by :func:`replace_auto_tags` after the
rules were evaluated; manual tags (``manual``) by agents. One row per customer, source, tag
and value (unique), so every write is an upsert that several desk replicas (or the CLI) may
run at once: a collision retries (:meth:`AsyncDatabase.run`) and then finds the winner's row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Integer,
    String,
    UniqueConstraint,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.times import UTCDateTime, utcnow
from zhike.lib.tags import TagResult
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.models import DeskBase

AUTO = "auto"
MANUAL = "manual"
SYSTEM = "system"  # created_by of automatic tags
MANUAL_COLOUR = "grey"
MAX_MANUAL_TAG = 32
MAX_VALUE, MAX_LABEL, MAX_REASON = 64, 96, 200  # the columns' lengths


class CustomerTag(DeskBase):
    """One tag of one customer."""

    __tablename__ = "desk_customer_tags"
    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(64), nullable=False, index=True)
    source = Column(String(8), nullable=False)
    tag = Column(String(64), nullable=False)
    value = Column(String(MAX_VALUE), nullable=False, default="")
    label = Column(String(MAX_LABEL), nullable=False)
    colour = Column(String(16), nullable=False)
    reason = Column(String(MAX_REASON), nullable=False, default="")
    created_by = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("customer_id", "source", "tag", "value", name="uq_desk_customer_tag"),
    )


class CustomerTagRun(DeskBase):
    """When a customer's automatic tags were last computed."""

    __tablename__ = "desk_customer_tag_runs"
    customer_id = Column(String(64), primary_key=True)
    computed_at = Column(UTCDateTime, nullable=False)


@dataclass(frozen=True)
class StoredTag:
    """A tag as the desk shows it."""

    customer_id: str
    source: str
    tag: str
    value: str
    label: str
    colour: str
    reason: str
    created_by: str
    created_at: datetime


def _stored(row: CustomerTag) -> StoredTag:
    return StoredTag(
        row.customer_id,
        row.source,
        row.tag,
        row.value,
        row.label,
        row.colour,
        row.reason,
        row.created_by,
        row.created_at,
    )


async def customer_tags(db: DeskDatabase, customer_id: str) -> list[StoredTag]:
    """A customer's tags: automatic ones first (in rule order of writing), then manual."""
    query = (
        select(CustomerTag)
        .where(CustomerTag.customer_id == customer_id)
        .order_by(CustomerTag.source, CustomerTag.id)
    )
    async with db.session() as session:
        return [_stored(row) for row in (await session.execute(query)).scalars()]


async def computed_at(db: DeskDatabase, customer_id: str) -> datetime | None:
    """When the customer's automatic tags were last computed (``None``: never)."""
    async with db.session() as session:
        run = await session.get(CustomerTagRun, customer_id)
    return None if run is None else run.computed_at


async def computed_times(db: DeskDatabase, customer_ids: Collection[str]) -> dict[str, datetime]:
    """When each of ``customer_ids`` had their automatic tags computed (absent: never)."""
    if not customer_ids:
        return {}
    async with db.session() as session:
        runs = await session.execute(
            select(CustomerTagRun).where(CustomerTagRun.customer_id.in_(list(customer_ids)))
        )
        return {str(run.customer_id): run.computed_at for run in runs.scalars()}


async def replace_auto_tags(
    db: DeskDatabase,
    customer_id: str,
    results: Iterable[TagResult],
    evaluated: Collection[str],
    now: datetime | None = None,
) -> None:
    """Makes the customer's automatic tags of the ``evaluated`` rules exactly ``results``.

    Tags of rules that were not evaluated (a source was down) are left alone. Running it
    twice, or on two replicas at once, leaves the same rows.
    """
    wanted = {(result.tag, result.value[:MAX_VALUE]): result for result in results}
    stamp = now or utcnow()

    async def work(session: AsyncSession) -> None:
        # Statements by id, not ORM deletes and updates: a row another replica changed
        # or removed meanwhile is simply matched or not, never a stale-data error.
        query = select(CustomerTag.id, CustomerTag.tag, CustomerTag.value).where(
            CustomerTag.customer_id == customer_id, CustomerTag.source == AUTO
        )
        existing = {(tag, value): id_ for id_, tag, value in await session.execute(query)}
        stale = [id_ for key, id_ in existing.items() if key not in wanted and key[0] in evaluated]
        if stale:
            await session.execute(delete(CustomerTag).where(CustomerTag.id.in_(stale)))
        for key, result in wanted.items():
            shown = {
                "label": result.label[:MAX_LABEL],
                "colour": result.colour,
                "reason": result.reason[:MAX_REASON],
                "updated_at": stamp,
            }
            if key in existing:
                change = update(CustomerTag).where(CustomerTag.id == existing[key])
                await session.execute(change.values(**shown))
            else:
                await session.execute(
                    insert(CustomerTag).values(
                        customer_id=customer_id,
                        source=AUTO,
                        tag=result.tag,
                        value=key[1],
                        created_by=SYSTEM,
                        created_at=stamp,
                        **shown,
                    )
                )
        done = update(CustomerTagRun).where(CustomerTagRun.customer_id == customer_id)
        if not (await session.execute(done.values(computed_at=stamp))).rowcount:
            session.add(CustomerTagRun(customer_id=customer_id, computed_at=stamp))

    await db.run(work)


async def add_manual_tag(
    db: DeskDatabase, customer_id: str, text: str, username: str, limit: int
) -> bool:
    """Adds a manual tag; False when the customer has it already.

    Raises:
        ValueError: The customer already has ``limit`` manual tags.
    """

    async def work(session: AsyncSession) -> bool:
        mine = and_(CustomerTag.customer_id == customer_id, CustomerTag.source == MANUAL)
        if (
            await session.execute(select(CustomerTag.id).where(mine, CustomerTag.tag == text))
        ).first():
            return False
        count = (await session.execute(select(func.count()).where(mine))).scalar_one()
        if count >= limit:
            raise ValueError("too many manual tags")
        now = utcnow()
        session.add(
            CustomerTag(
                customer_id=customer_id,
                source=MANUAL,
                tag=text,
                value="",
                label=text,
                colour=MANUAL_COLOUR,
                reason="",
                created_by=username,
                created_at=now,
                updated_at=now,
            )
        )
        return True

    return await db.run(work)


async def remove_manual_tag(db: DeskDatabase, customer_id: str, text: str) -> bool:
    """Removes a manual tag; False when the customer did not have it."""

    async def work(session: AsyncSession) -> bool:
        result = await session.execute(
            delete(CustomerTag).where(
                CustomerTag.customer_id == customer_id,
                CustomerTag.source == MANUAL,
                CustomerTag.tag == text,
            )
        )
        return bool(result.rowcount)

    return await db.run(work)


@dataclass(frozen=True)
class Segment:
    """How many customers carry a tag (one value of a ``by`` tag counts on its own)."""

    source: str
    tag: str
    value: str
    label: str
    colour: str
    customers: int


async def segments(db: DeskDatabase) -> list[Segment]:
    """Every tag with its number of customers, the largest segment first."""
    query = select(
        CustomerTag.source,
        CustomerTag.tag,
        CustomerTag.value,
        func.max(CustomerTag.label),
        func.max(CustomerTag.colour),
        func.count(func.distinct(CustomerTag.customer_id)),
    ).group_by(CustomerTag.source, CustomerTag.tag, CustomerTag.value)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    found = [Segment(*row) for row in rows]
    return sorted(found, key=lambda s: (-s.customers, s.source, s.label))


async def tagged_customers(db: DeskDatabase) -> list[str]:
    """Every customer that has tags or was computed (for a full recompute)."""
    async with db.session() as session:
        tagged = (await session.execute(select(CustomerTag.customer_id).distinct())).scalars()
        runs = (await session.execute(select(CustomerTagRun.customer_id))).scalars()
        return sorted(set(tagged) | set(runs))


async def popular_manual_tags(db: DeskDatabase, limit: int = 20) -> list[str]:
    """The manual tags used on the most customers (suggestions for the input)."""
    count = func.count(CustomerTag.id)
    query = (
        select(CustomerTag.tag)
        .where(CustomerTag.source == MANUAL)
        .group_by(CustomerTag.tag)
        .order_by(count.desc(), CustomerTag.tag)
        .limit(limit)
    )
    async with db.session() as session:
        return list((await session.execute(query)).scalars())
