"""Between rows and dataclasses, plus the ``kb_state`` lock and revision (session-level).

Every write transaction calls :func:`lock_state` first: it locks the single state row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite writers already queue with ``BEGIN
IMMEDIATE``), so writers take turns and ids can be assigned as ``max + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.kb.domain import (
    Button,
    Entry,
    EntryDraft,
    FrozenMap,
    PublishedEntry,
    question_key,
)
from zhike.lib.kb.models import STATE_ROW, EntryRow, SimilarRow, StateRow


def dumps(value: Any) -> str:
    """Compact JSON that keeps Chinese readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def buttons_json(buttons: Iterable[Button]) -> str:
    """Buttons as stored."""
    return dumps([{"title": b.title, "payload": b.payload} for b in buttons])


def buttons_from(text: str | None) -> tuple[Button, ...]:
    """Stored buttons back as dataclasses."""
    return tuple(Button(b["title"], b["payload"]) for b in json.loads(text or "[]"))


def channels_from(text: str | None) -> FrozenMap:
    """Stored channel answers back as a read-only mapping."""
    return FrozenMap(json.loads(text or "{}"))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def published_from(entry_id: int, text: str) -> PublishedEntry:
    """The live content of an entry (JSON of :meth:`EntryDraft.to_dict`)."""
    data = json.loads(text)
    return PublishedEntry(
        id=entry_id,
        question=data["question"],
        similar=tuple(data["similar"]),
        answer=data["answer"],
        category=data["category"],
        buttons=tuple(Button(b["title"], b["payload"]) for b in data["buttons"]),
        link=data["link"],
        channel_answers=FrozenMap(data["channel_answers"]),
        valid_from=_date(data["valid_from"]),
        valid_to=_date(data["valid_to"]),
    )


def row_draft(row: Any, similar: Iterable[str]) -> EntryDraft:
    """The working copy of a row (ORM object or Core row) as a draft."""
    return EntryDraft(
        question=row.question,
        answer=row.answer,
        similar=tuple(similar),
        category=row.category,
        buttons=buttons_from(row.buttons),
        link=row.link,
        channel_answers=channels_from(row.channel_answers),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def to_entry(row: Any, similar: Iterable[str]) -> Entry:
    """An entry row (ORM object or Core row) and its similar questions as an :class:`Entry`."""
    draft = row_draft(row, similar)
    return Entry(
        id=row.id,
        question=draft.question,
        answer=draft.answer,
        similar=draft.similar,
        category=draft.category,
        status=row.status,
        buttons=draft.buttons,
        link=draft.link,
        channel_answers=draft.channel_answers,
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        version=row.version,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        review_comment=row.review_comment,
        created_by=row.created_by,
        live_version=row.live_version,
    )


def content_columns(draft: EntryDraft) -> dict[str, Any]:
    """The working-copy columns of a (checked) draft."""
    return {
        "question": draft.question,
        "question_key": question_key(draft.question),
        "answer": draft.answer,
        "category": draft.category,
        "buttons": buttons_json(draft.buttons),
        "link": draft.link,
        "channel_answers": dumps(dict(draft.channel_answers)),
        "valid_from": draft.valid_from,
        "valid_to": draft.valid_to,
    }


async def similar_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The similar questions of the entries, in order (chunked for long id lists)."""
    found: dict[int, list[str]] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        result = await session.execute(
            select(SimilarRow.entry_id, SimilarRow.text)
            .where(SimilarRow.entry_id.in_(chunk))
            .order_by(SimilarRow.entry_id, SimilarRow.position)
        )
        for entry_id, text in result:
            found.setdefault(entry_id, []).append(text)
    return {entry_id: tuple(found.get(entry_id, ())) for entry_id in wanted}


async def lock_state(session: AsyncSession, at: datetime) -> StateRow:
    """The state row, locked; created on the first write (a collision is retried)."""
    row = (
        await session.execute(
            select(StateRow)
            .where(StateRow.id == STATE_ROW)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        row = StateRow(id=STATE_ROW, revision=0, updated_at=at)
        session.add(row)
        await session.flush()
    return row


async def bump_revision(session: AsyncSession, at: datetime) -> int:
    """Counts one more change to what is live; the new revision."""
    await session.execute(
        update(StateRow)
        .where(StateRow.id == STATE_ROW)
        .values(revision=StateRow.revision + 1, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return await read_revision(session)


async def read_revision(session: AsyncSession) -> int:
    """The current revision (0 before the first write)."""
    value = await session.scalar(select(StateRow.revision).where(StateRow.id == STATE_ROW))
    return int(value or 0)


async def next_id(session: AsyncSession) -> int:
    """The id for a new entry (callers hold the state lock)."""
    return int(await session.scalar(select(func.max(EntryRow.id))) or 0) + 1


def counts(rows: Iterable[tuple[Any, int]]) -> Mapping[str, int]:
    """``(name, count)`` rows as a read-only mapping."""
    return {str(name): int(count) for name, count in rows}
