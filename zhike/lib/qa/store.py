"""The ``qa_*`` tables: the word list with its revision, rule settings, events and records.

:class:`QaDatabase` is an :class:`~zhike.common.database.AsyncDatabase` for the ``qa_*``
tables; :meth:`QaDatabase.sharing` puts it on another database's engine (the desk's), so
the desk opens no second pool. Every write is one transaction; re-saving a record of a
conversation replaces it (unique ``conversation_id``; a concurrent insert is retried and
then finds the winner's row).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.database import AsyncDatabase
from zhike.lib.qa.models import (
    ADDED_RECORD_COLUMNS,
    CLEAN,
    PENDING,
    Event,
    QaBase,
    Record,
    State,
    Word,
)

WORDS_KEY = "words"
RULES_KEY = "rules"


class QaError(Exception):
    """A refused quality-inspection request: HTTP-like ``status``, ``code``, ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class QaDatabase(AsyncDatabase):
    """The ``qa_*`` tables' database (its own engine, or a shared one)."""

    metadata = QaBase.metadata
    _owner = True

    @classmethod
    def sharing(cls, other: AsyncDatabase) -> QaDatabase:
        """The ``qa_*`` tables on ``other``'s engine and sessions (``other`` disposes it)."""
        db = cls.__new__(cls)
        db.__dict__.update(other.__dict__)
        db._owner = False
        return db

    def upgrade(self, connection: Connection) -> None:
        """Adds the ``qa_records`` columns a table created before them lacks."""
        present = {column["name"] for column in inspect(connection).get_columns("qa_records")}
        for name, kind in ADDED_RECORD_COLUMNS.items():
            if name not in present:
                connection.execute(text(f"ALTER TABLE qa_records ADD COLUMN {name} {kind}"))

    async def dispose(self) -> None:
        """Closes the engine if this database opened it."""
        if self._owner:
            await super().dispose()


def record_dict(row: Record) -> dict[str, Any]:
    """A record as plain data (times stay datetimes)."""
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "agent_id": row.agent_id,
        "skill_group": row.skill_group,
        "session_key": row.session_key,
        "channel": row.channel,
        "with_agent": row.with_agent,
        "status": row.status,
        "score": row.score,
        "rules": [name for name in row.rules.split(",") if name],
        "hits": list(row.hits or []),
        "excerpt": list(row.excerpt or []),
        "rating": row.rating,
        "closed_at": row.closed_at,
        "inspected_at": row.inspected_at,
        "reviewer_id": row.reviewer_id,
        "review_comment": row.review_comment,
        "reviewed_at": row.reviewed_at,
    }


async def _state(session: AsyncSession, key: str, lock: bool = False) -> State | None:
    query = select(State).where(State.key == key)
    if lock:
        query = query.with_for_update()
    found: State | None = (await session.execute(query)).scalar_one_or_none()
    return found


async def bump_revision(session: AsyncSession, now: datetime) -> int:
    """Raises the word list's revision by one, in the caller's transaction."""
    row = await _state(session, WORDS_KEY, lock=True)
    if row is None:
        row = State(key=WORDS_KEY, value={"revision": 0}, updated_at=now)
        session.add(row)
    revision = int((row.value or {}).get("revision", 0)) + 1
    row.value = {"revision": revision}
    row.updated_at = now
    await session.flush()
    return revision


async def seed_words(db: QaDatabase, words: Iterable[tuple[str, str]], now: datetime) -> bool:
    """Loads ``words`` once: only if the list has no revision yet (never after edits)."""
    listed = list(words)

    async def work(session: AsyncSession) -> bool:
        if await _state(session, WORDS_KEY) is not None:
            return False
        session.add(State(key=WORDS_KEY, value={"revision": 1}, updated_at=now))
        await session.flush()  # a concurrent seeder collides here and retries
        seen: set[str] = set()
        for word, category in listed:
            if word not in seen:
                seen.add(word)
                session.add(Word(word=word, category=category, created_by=None, created_at=now))
        return True

    return await db.run(work)


async def revision(db: QaDatabase) -> int:
    """The word list's revision (0: never seeded)."""
    async with db.session() as session:
        row = await _state(session, WORDS_KEY)
    return int((row.value or {}).get("revision", 0)) if row is not None else 0


async def words(db: QaDatabase) -> tuple[int, list[Word]]:
    """The revision and every word, by category then word, read together."""
    async with db.session() as session:
        row = await _state(session, WORDS_KEY)
        found = (await session.execute(select(Word).order_by(Word.category, Word.word))).scalars()
        listed = list(found)
    return (int((row.value or {}).get("revision", 0)) if row else 0), listed


async def add_word(db: QaDatabase, word: str, category: str, by: str, now: datetime) -> Word:
    """Adds a word (409 ``word_exists`` if listed) and bumps the revision."""

    async def work(session: AsyncSession) -> Word:
        taken = await session.scalar(select(func.count(Word.id)).where(Word.word == word))
        if taken:
            raise QaError(409, "word_exists", "该敏感词已在词库中")
        row = Word(word=word, category=category, created_by=by, created_at=now)
        session.add(row)
        await bump_revision(session, now)
        return row

    return await db.run(work)


async def remove_word(db: QaDatabase, word_id: int, now: datetime) -> None:
    """Removes a word (404 ``word_not_found``) and bumps the revision."""

    async def work(session: AsyncSession) -> None:
        gone = await session.execute(delete(Word).where(Word.id == word_id))
        if not gone.rowcount:
            raise QaError(404, "word_not_found", "没有这个敏感词")
        await bump_revision(session, now)

    await db.run(work)


async def read_document(db: QaDatabase, key: str) -> dict[str, Any] | None:
    """A named JSON document of ``qa_state``."""
    async with db.session() as session:
        row = await _state(session, key)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else None


async def write_document(db: QaDatabase, key: str, value: dict[str, Any], now: datetime) -> None:
    """Replaces a named JSON document."""

    async def work(session: AsyncSession) -> None:
        row = await _state(session, key, lock=True)
        if row is None:
            session.add(State(key=key, value=value, updated_at=now))
        else:
            row.value, row.updated_at = value, now

    await db.run(work)


async def add_event(db: QaDatabase, conversation_id: int, kind: str, at: datetime) -> None:
    """Notes that ``kind`` happened to a conversation."""

    async def work(session: AsyncSession) -> None:
        session.add(Event(conversation_id=conversation_id, kind=kind, at=at))

    await db.run(work)


async def count_events(db: QaDatabase, conversation_id: int, kind: str) -> int:
    """How many times ``kind`` happened to a conversation."""
    async with db.session() as session:
        found = await session.scalar(
            select(func.count(Event.id)).where(
                Event.conversation_id == conversation_id, Event.kind == kind
            )
        )
    return int(found or 0)


async def save_record(db: QaDatabase, values: dict[str, Any]) -> dict[str, Any]:
    """Creates or replaces the record of ``values["conversation_id"]``.

    A reviewed record keeps its review when the same rules are hit again; otherwise its
    status becomes ``pending`` (hits) or ``clean`` (none). An inspection that read the
    conversation before its rating (a customer rates once) never replaces one that read
    it after: of two inspections racing, the later view of the conversation stays.
    """

    async def work(session: AsyncSession) -> dict[str, Any]:
        row = (
            await session.execute(
                select(Record)
                .where(Record.conversation_id == values["conversation_id"])
                .with_for_update()
            )
        ).scalar_one_or_none()
        if row is not None and row.rating is not None and values.get("rating") is None:
            return record_dict(row)  # a stale inspection: the record saw the rating
        rules = values["rules"]
        status = PENDING if values["hits"] else CLEAN
        if row is None:
            row = Record(conversation_id=values["conversation_id"])
            session.add(row)
        elif row.rules == rules and row.status not in (CLEAN, PENDING):
            status = row.status  # reviewed, and nothing new
        for name, value in values.items():
            setattr(row, name, value)
        row.status = status
        await session.flush()
        return record_dict(row)

    return await db.run(work)


async def inspected_views(
    db: QaDatabase, keys: list[int]
) -> dict[int, tuple[int | None, datetime | None]]:
    """The rating and end time each of these records was made with (absent: never)."""
    if not keys:
        return {}
    async with db.session() as session:
        rows = await session.execute(
            select(Record.conversation_id, Record.rating, Record.closed_at).where(
                Record.conversation_id.in_(keys)
            )
        )
        return {key: (rating, closed) for key, rating, closed in rows.all()}


async def locked_document(session: AsyncSession, key: str, now: datetime) -> State:
    """The named document, locked for the caller's transaction (created empty)."""
    row = await _state(session, key, lock=True)
    if row is None:
        row = State(key=key, value={}, updated_at=now)
        session.add(row)
        await session.flush()  # a concurrent creator collides here and retries
    return row


async def find_records(
    db: QaDatabase,
    statuses: tuple[str, ...],
    rule: str | None,
    agent_id: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Records of these statuses (and rule, agent), newest inspection first."""
    query = select(Record).where(Record.status.in_(statuses))
    if rule:
        query = query.where(Record.rules.like(f"%,{rule},%"))
    if agent_id is not None:
        query = query.where(Record.agent_id == agent_id)
    query = query.order_by(Record.closed_at.desc(), Record.id.desc()).limit(limit)
    async with db.session() as session:
        return [record_dict(row) for row in (await session.execute(query)).scalars()]


async def get_record(db: QaDatabase, record_id: int) -> dict[str, Any]:
    """One record; 404 ``record_not_found``."""
    async with db.session() as session:
        row = await session.get(Record, record_id)
        if row is None:
            raise QaError(404, "record_not_found", "没有这条质检记录")
        return record_dict(row)


async def review_record(
    db: QaDatabase, record_id: int, status: str, comment: str, reviewer: str, now: datetime
) -> dict[str, Any]:
    """Confirms or dismisses a flagged record with a comment (409 for a clean one)."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        row = await session.get(Record, record_id, with_for_update=True)
        if row is None:
            raise QaError(404, "record_not_found", "没有这条质检记录")
        if row.status == CLEAN:
            raise QaError(409, "nothing_to_review", "这个会话没有质检问题，无需复核")
        row.status, row.review_comment = status, comment
        row.reviewer_id, row.reviewed_at = reviewer, now
        await session.flush()
        return record_dict(row)

    return await db.run(work)
