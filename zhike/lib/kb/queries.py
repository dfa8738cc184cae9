"""Reads of the knowledge base inside the caller's session: entries, history, snapshot, stats."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.kb.domain import (
    ARCHIVED,
    STATUSES,
    Entry,
    HistoryRecord,
    KbStats,
    Page,
    Snapshot,
)
from zhike.lib.kb.errors import InvalidEntry, NotFound
from zhike.lib.kb.models import EntryRow, HistoryRow, SimilarRow
from zhike.lib.kb.rows import counts, published_from, read_revision, similar_of, to_entry

MAX_PER_PAGE = 200


async def get(session: AsyncSession, entry_id: int) -> Entry:
    """One entry (404 when there is none)."""
    row = await session.get(EntryRow, entry_id)
    if row is None:
        raise NotFound(f"entry {entry_id} not found")
    return to_entry(row, (await similar_of(session, [entry_id]))[entry_id])


async def history(session: AsyncSession, entry_id: int) -> tuple[HistoryRecord, ...]:
    """Every version of an entry, oldest first (404 when there is no entry)."""
    if await session.get(EntryRow, entry_id) is None:
        raise NotFound(f"entry {entry_id} not found")
    rows = await session.execute(
        select(HistoryRow).where(HistoryRow.entry_id == entry_id).order_by(HistoryRow.version)
    )
    return tuple(
        HistoryRecord(
            entry_id=row.entry_id,
            version=row.version,
            action=row.action,
            actor=row.actor,
            role=row.role,
            at=row.at,
            comment=row.comment,
            snapshot=json.loads(row.snapshot),
        )
        for row in rows.scalars()
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def listing(
    session: AsyncSession,
    query: str | None,
    status: str | None,
    category: str | None,
    page: int,
    per_page: int,
) -> Page:
    """Entries whose question, similar questions or answer contain ``query``, newest first.

    ``status`` ``None`` lists every status but archived; ``category`` filters exactly.
    """
    if status is not None and status not in STATUSES:
        raise InvalidEntry(f"status must be one of {', '.join(STATUSES)}", field="status")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidEntry(f"page must be >= 1 and per_page 1-{MAX_PER_PAGE}", field="page")
    conditions = [EntryRow.status == status if status else EntryRow.status != ARCHIVED]
    if category is not None:
        conditions.append(EntryRow.category == category)
    if query and query.strip():
        pattern = _like(query.strip())
        similar = select(SimilarRow.entry_id).where(
            func.lower(SimilarRow.text).like(pattern, escape="\\")
        )
        conditions.append(
            or_(
                func.lower(EntryRow.question).like(pattern, escape="\\"),
                func.lower(EntryRow.answer).like(pattern, escape="\\"),
                EntryRow.id.in_(similar),
            )
        )
    total = await session.scalar(select(func.count(EntryRow.id)).where(*conditions))
    rows = (
        (
            await session.execute(
                select(EntryRow)
                .where(*conditions)
                .order_by(EntryRow.updated_at.desc(), EntryRow.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        .scalars()
        .all()
    )
    similar_by_id = await similar_of(session, [row.id for row in rows])
    items = tuple(to_entry(row, similar_by_id[row.id]) for row in rows)
    return Page(items=items, total=int(total or 0), page=page, per_page=per_page)


async def every_entry(session: AsyncSession, include_archived: bool) -> tuple[Entry, ...]:
    """Every entry's working copy in id order (for export)."""
    statement = select(EntryRow).order_by(EntryRow.id)
    if not include_archived:
        statement = statement.where(EntryRow.status != ARCHIVED)
    rows = (await session.execute(statement)).scalars().all()
    similar_by_id = await similar_of(session, [row.id for row in rows])
    return tuple(to_entry(row, similar_by_id[row.id]) for row in rows)


async def snapshot(session: AsyncSession, on: date | None) -> Snapshot:
    """The live entries (valid on ``on`` when given) and the revision, read together."""
    revision = await read_revision(session)
    rows = await session.execute(
        select(EntryRow.id, EntryRow.live)
        .where(EntryRow.live.isnot(None), EntryRow.status != ARCHIVED)
        .order_by(EntryRow.id)
    )
    entries = [published_from(entry_id, live) for entry_id, live in rows]
    if on is not None:
        entries = [entry for entry in entries if entry.is_valid(on)]
    return Snapshot(revision=revision, entries=tuple(entries))


async def stats(session: AsyncSession) -> KbStats:
    """Counts by status and by category (archived excluded) and the revision."""
    by_status = counts(
        await session.execute(select(EntryRow.status, func.count()).group_by(EntryRow.status))
    )
    by_category = counts(
        await session.execute(
            select(EntryRow.category, func.count())
            .where(EntryRow.status != ARCHIVED)
            .group_by(EntryRow.category)
            .order_by(EntryRow.category)
        )
    )
    live = await session.scalar(select(func.count()).where(EntryRow.live.isnot(None)))
    return KbStats(
        revision=await read_revision(session),
        total=sum(by_status.values()),
        live=int(live or 0),
        by_status={status: by_status.get(status, 0) for status in STATUSES},
        by_category=by_category,
    )
