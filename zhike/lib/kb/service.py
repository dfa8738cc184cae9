"""The transactional facade of the knowledge base: one call, one transaction.

Writes lock the ``kb_state`` row first, so they take turns; a change to what the robot
answers with bumps the revision in the same transaction, so :meth:`KnowledgeBase.revision`
tells a process cheaply whether its index is stale. Refusals raise
:class:`~zhike.lib.kb.errors.KbError` subclasses and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from zhike.common.times import utcnow
from zhike.lib.kb import entries, imports, queries
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import (
    Actor,
    Entry,
    EntryDraft,
    HistoryRecord,
    ImportItem,
    ImportReport,
    KbStats,
    Page,
    Snapshot,
)
from zhike.lib.kb.errors import InvalidEntry
from zhike.lib.kb.rows import read_revision

DEFAULT_ZONE = "Asia/Shanghai"


class KnowledgeBase:
    """Knowledge-base operations, each in its own transaction.

    Args:
        db: The database holding the ``kb_*`` tables (call ``create_tables`` first).
        clock: Returns the current aware time (tests pass a fixed clock).
        zone: The zone whose calendar day validity dates are checked against.
    """

    def __init__(
        self,
        db: KbDatabase,
        clock: Callable[[], datetime] = utcnow,
        zone: tzinfo | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone or ZoneInfo(DEFAULT_ZONE)

    def now(self) -> datetime:
        """The service clock's current time in UTC (refuses a naive clock)."""
        at = self.clock()
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidEntry("times must be timezone-aware", "naive_datetime")
        return at.astimezone(timezone.utc)

    def today(self) -> date:
        """The current day in the knowledge base's zone."""
        return self.now().astimezone(self.zone).date()

    async def create(self, draft: EntryDraft, actor: Actor, comment: str | None = None) -> Entry:
        """A new draft entry (editor, supervisor, service)."""
        at = self.now()
        return await self.db.run(lambda s: entries.create(s, draft, actor, at, comment))

    async def update(
        self,
        entry_id: int,
        draft: EntryDraft,
        actor: Actor,
        expected_version: int | None = None,
        comment: str | None = None,
    ) -> Entry:
        """New content; the entry becomes a draft and its live content stays until published.

        Raises:
            VersionConflict: ``expected_version`` is not the entry's version (409).
        """
        at = self.now()
        return await self.db.run(
            lambda s: entries.update(s, entry_id, draft, actor, expected_version, at, comment)
        )

    async def submit(
        self, entry_id: int, actor: Actor, expected_version: int | None = None
    ) -> Entry:
        """Sends a draft for review (its editor, supervisor, service)."""
        at = self.now()
        return await self.db.run(lambda s: entries.submit(s, entry_id, actor, at, expected_version))

    async def approve(
        self,
        entry_id: int,
        actor: Actor,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Entry:
        """Publishes a submitted entry (reviewer, supervisor, service)."""
        at = self.now()
        return await self.db.run(
            lambda s: entries.publish(
                s, entry_id, actor, at, expected_version, comment, approve=True
            )
        )

    async def reject(
        self,
        entry_id: int,
        actor: Actor,
        comment: str,
        expected_version: int | None = None,
    ) -> Entry:
        """Sends a submitted entry back to draft with a comment (reviewer, supervisor)."""
        at = self.now()
        return await self.db.run(
            lambda s: entries.reject(s, entry_id, actor, comment, at, expected_version)
        )

    async def publish(
        self,
        entry_id: int,
        actor: Actor,
        expected_version: int | None = None,
        comment: str | None = None,
    ) -> Entry:
        """Publishes a draft, submitted or archived entry directly (not an editor)."""
        at = self.now()
        return await self.db.run(
            lambda s: entries.publish(s, entry_id, actor, at, expected_version, comment)
        )

    async def archive(
        self,
        entry_id: int,
        actor: Actor,
        expected_version: int | None = None,
        comment: str | None = None,
    ) -> Entry:
        """Takes an entry out of use and off the robot."""
        at = self.now()
        return await self.db.run(
            lambda s: entries.archive(s, entry_id, actor, at, expected_version, comment)
        )

    async def get(self, entry_id: int) -> Entry:
        """One entry's working copy (404 when there is none)."""
        async with self.db.session() as session:
            return await queries.get(session, entry_id)

    async def history(self, entry_id: int) -> tuple[HistoryRecord, ...]:
        """Every version of an entry, oldest first."""
        async with self.db.session() as session:
            return await queries.history(session, entry_id)

    async def list(
        self,
        query: str | None = None,
        status: str | None = None,
        category: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> Page:
        """Entries containing ``query`` (question, similar or answer), newest change first.

        ``status=None`` lists every entry but archived ones.
        """
        async with self.db.session() as session:
            return await queries.listing(session, query, status, category, page, per_page)

    async def all_entries(self, include_archived: bool = False) -> tuple[Entry, ...]:
        """Every entry's working copy in id order (for export)."""
        async with self.db.session() as session:
            return await queries.every_entry(session, include_archived)

    async def snapshot(self, on: date | None = None) -> Snapshot:
        """The live entries valid on ``on`` (default: today) and the revision they reflect.

        An entry whose validity starts or ends changes the answer set without a new
        revision: a process holding a snapshot rebuilds when the day changes too.
        """
        async with self.db.session() as session:
            return await queries.snapshot(session, on or self.today())

    async def revision(self) -> int:
        """The revision of what is live: grows with every publish or archive (cheap)."""
        async with self.db.session() as session:
            return await read_revision(session)

    async def import_entries(
        self,
        items: Sequence[ImportItem],
        mode: str = imports.MERGE,
        actor: Actor | None = None,
        publish: bool = False,
        only_if_empty: bool = False,
    ) -> ImportReport:
        """Imports parsed rows, all or nothing (see :mod:`zhike.lib.kb.imports`).

        Args:
            items: The rows, e.g. from :func:`zhike.lib.kb.io.parse_file`.
            mode: ``merge`` (update entries with the same standard question, add the
                rest) or ``replace`` (also archive the active entries the file lacks).
            actor: Who imports (required).
            publish: Publish every created or changed entry (not for an editor).
            only_if_empty: Import only into an empty knowledge base (``skipped`` else).

        Raises:
            ImportFileError: bad rows, each with its line number; nothing imported.
        """
        if actor is None:
            raise InvalidEntry("an import needs an actor", "invalid_actor")
        at = self.now()
        who = actor
        return await self.db.run(
            lambda s: imports.import_items(s, items, mode, who, publish, at, only_if_empty)
        )

    async def stats(self) -> KbStats:
        """Counts by status and category, and the revision."""
        async with self.db.session() as session:
            return await queries.stats(session)
