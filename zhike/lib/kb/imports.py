"""Bulk import inside the caller's transaction: all rows or none.

Rows are matched to entries by standard question (:func:`~.domain.question_key`): in
``merge`` mode a matching entry gets the row's content and every other row becomes a new
entry; ``replace`` mode also archives every active entry the file does not name. Every
bad row (invalid, a question on two rows or owned by another entry, not allowed for the
actor) is reported with its line and nothing is written. Rows and history go in with
bulk statements so files of tens of thousands of entries import in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.kb import permissions as perm
from zhike.lib.kb.domain import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    Actor,
    Entry,
    EntryDraft,
    ImportItem,
    ImportReport,
    question_key,
)
from zhike.lib.kb.entries import ARCHIVE, CREATE, history_values
from zhike.lib.kb.errors import Forbidden, ImportFileError, InvalidEntry, KbError, LineError
from zhike.lib.kb.models import EntryRow, HistoryRow, SimilarRow
from zhike.lib.kb.rows import (
    bump_revision,
    content_columns,
    dumps,
    lock_state,
    next_id,
    read_revision,
    row_draft,
    similar_of,
    to_entry,
)
from zhike.lib.kb.validation import check_draft, duplicate_errors

MERGE = "merge"
REPLACE = "replace"
MODES = (MERGE, REPLACE)
MAX_ERRORS = 100
IMPORT_UPDATE = "import"


def _checked(items: Sequence[ImportItem]) -> list[ImportItem]:
    errors: list[LineError] = []
    checked = []
    for item in items:
        try:
            checked.append(ImportItem(item.line, check_draft(item.draft), item.status))
        except KbError as error:
            errors.append(LineError(item.line, error.message))
    errors += duplicate_errors(checked, MAX_ERRORS)
    if errors:
        raise ImportFileError(sorted(errors, key=lambda e: e.line or 0)[:MAX_ERRORS])
    return checked


async def _existing(session: AsyncSession) -> tuple[dict[int, Any], dict[int, tuple[str, ...]]]:
    rows = (await session.execute(select(EntryRow.__table__))).all()
    by_id = {row.id: row for row in rows}
    return by_id, await similar_of(session, by_id)


class _Plan:
    """What the import will write, built before anything is written."""

    def __init__(self) -> None:
        self.new_rows: list[dict[str, Any]] = []
        self.changed_rows: list[dict[str, Any]] = []
        self.similar: dict[int, tuple[str, ...]] = {}
        self.history: list[dict[str, Any]] = []
        self.live_changed = False
        self.errors: list[LineError] = []
        self.report = {"created": 0, "updated": 0, "archived": 0, "unchanged": 0, "published": 0}
        self.comment = "import"

    def count(self, what: str, status: str) -> None:
        """Counts a created, updated or archived entry (and whether it went live)."""
        self.report[what] += 1
        if status == PUBLISHED:
            self.report["published"] += 1
            self.live_changed = True

    def add_history(
        self,
        values: dict[str, Any],
        similar: Sequence[str],
        action: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        """The history row of the entry's new version."""
        entry = _entry(values, similar)
        self.history.append(history_values(entry, action, actor, at, self.comment))


def _values(
    draft: EntryDraft, status: str, version: int, actor: Actor, at: datetime
) -> dict[str, Any]:
    live = status == PUBLISHED
    return {
        **content_columns(draft),
        "status": status,
        "version": version,
        "live": dumps(draft.to_dict()) if live else None,
        "live_version": version if live else None,
        "draft_owner": actor.name if status == DRAFT else None,
        "updated_by": actor.name,
        "updated_at": at,
    }


def _entry(values: dict[str, Any], similar: Sequence[str]) -> Entry:
    return to_entry(SimpleNamespace(**values), similar)


def _allowed(check: Any, where: int | str, plan: _Plan) -> bool:
    """Runs a permission check; a refusal becomes an error of the row (or entry)."""
    try:
        check()
    except Forbidden as error:
        if isinstance(where, int):
            plan.errors.append(LineError(where, error.message))
        else:
            plan.errors.append(LineError(None, f"{where}: {error.message}"))
        return False
    return True


async def import_items(
    session: AsyncSession,
    items: Sequence[ImportItem],
    mode: str,
    actor: Actor,
    publish: bool,
    at: datetime,
    only_if_empty: bool = False,
) -> ImportReport:
    """Imports the rows (see the module docstring); the report counts entries.

    Raises:
        ImportFileError: bad rows, each with its line; nothing was written.
        Forbidden: the actor may not import (or publish).
    """
    if mode not in MODES:
        raise InvalidEntry(f"mode must be one of {', '.join(MODES)}", field="mode")
    perm.require(actor, perm.CREATE)
    if publish:
        perm.require(actor, perm.REVIEW)
    items = _checked(items)
    await lock_state(session, at)
    by_id, similar_by_id = await _existing(session)
    if only_if_empty and by_id:
        return ImportReport(skipped=True, revision=await read_revision(session))
    # A question matches its active entry, else the newest archived one.
    by_key: dict[str, Any] = {}
    for row in sorted(by_id.values(), key=lambda r: (r.status == ARCHIVED, -r.id)):
        by_key.setdefault(row.question_key, row)
    matches = [by_key.get(question_key(item.draft.question)) for item in items]
    touched = {row.id for row in matches if row is not None}
    plan = _Plan()
    plan.comment = f"import ({mode})"
    owners: dict[str, int] = {}
    for row in by_id.values():
        if row.id in touched or row.status == ARCHIVED:
            continue
        if mode == MERGE:
            for text in (row.question, *similar_by_id[row.id]):
                owners.setdefault(question_key(text), row.id)
        elif _allowed(lambda r=row: _may_archive(actor, r), f"entry {row.id}", plan):
            _archive_row(plan, row, similar_by_id[row.id], actor, at)
    new_id = await next_id(session)
    for item, row in zip(items, matches, strict=True):
        entry_id = row.id if row is not None else new_id
        if item.status != ARCHIVED and not _claim(owners, item, entry_id, plan):
            continue
        if row is None:
            new_id += 1
            _create_row(plan, item, entry_id, publish, actor, at)
        else:
            _change_row(plan, item, row, similar_by_id[row.id], publish, actor, at)
    if plan.errors:
        raise ImportFileError(sorted(plan.errors, key=lambda e: e.line or 0)[:MAX_ERRORS])
    await _write(session, plan)
    revision = await bump_revision(session, at) if plan.live_changed else None
    if revision is None:
        revision = await read_revision(session)
    report = plan.report
    return ImportReport(
        created=report["created"],
        updated=report["updated"],
        archived=report["archived"],
        unchanged=report["unchanged"],
        published=report["published"],
        revision=revision,
    )


def _may_archive(actor: Actor, row: Any) -> None:
    perm.require_archive(actor, row.status, row.draft_owner, row.live is not None)


def _claim(owners: dict[str, int], item: ImportItem, entry_id: int, plan: _Plan) -> bool:
    """Whether no other entry has the row's questions (else an error for its line)."""
    for text in (item.draft.question, *item.draft.similar):
        owner = owners.get(question_key(text), entry_id)
        if owner != entry_id:
            reason = f"{text!r} is already a question of entry {owner}"
            plan.errors.append(LineError(item.line, reason))
            return False
    return True


def _status(item: ImportItem, publish: bool) -> str:
    if item.status == ARCHIVED:
        return ARCHIVED
    return PUBLISHED if publish else DRAFT


def _create_row(
    plan: _Plan, item: ImportItem, entry_id: int, publish: bool, actor: Actor, at: datetime
) -> None:
    status = _status(item, publish)
    values = {"id": entry_id, "review_comment": None, "created_by": actor.name, "created_at": at}
    values.update(_values(item.draft, status, 1, actor, at))
    plan.new_rows.append(values)
    plan.similar[entry_id] = item.draft.similar
    plan.count("created", status)
    plan.add_history(values, item.draft.similar, CREATE, actor, at)


def _change_row(
    plan: _Plan,
    item: ImportItem,
    row: Any,
    similar: tuple[str, ...],
    publish: bool,
    actor: Actor,
    at: datetime,
) -> None:
    status = _status(item, publish)
    same = row_draft(row, similar) == item.draft
    if same and (row.status == status or (status == DRAFT and row.status != ARCHIVED)):
        plan.report["unchanged"] += 1
        return
    if status == ARCHIVED:
        check = lambda: _may_archive(actor, row)  # noqa: E731
    else:
        check = lambda: perm.require_own_draft(actor, row.status, row.draft_owner)  # noqa: E731
    if not _allowed(check, item.line, plan):
        return
    values = {**row._mapping, **_values(item.draft, status, row.version + 1, actor, at)}
    if status == DRAFT and row.live is not None:  # the live content stays in place
        values.update(live=row.live, live_version=row.live_version)
    if status == DRAFT and same and row.draft_owner:
        values["draft_owner"] = row.draft_owner
    plan.changed_rows.append(values)
    plan.similar[row.id] = item.draft.similar
    plan.live_changed |= row.live is not None and status != DRAFT
    plan.count("archived" if status == ARCHIVED else "updated", status)
    action = ARCHIVE if status == ARCHIVED else IMPORT_UPDATE
    plan.add_history(values, item.draft.similar, action, actor, at)


def _archive_row(
    plan: _Plan, row: Any, similar: tuple[str, ...], actor: Actor, at: datetime
) -> None:
    values = {
        **row._mapping,
        "status": ARCHIVED,
        "version": row.version + 1,
        "live": None,
        "live_version": None,
        "draft_owner": None,
        "updated_by": actor.name,
        "updated_at": at,
    }
    plan.changed_rows.append(values)
    plan.live_changed |= row.live is not None
    plan.report["archived"] += 1
    plan.add_history(values, similar, ARCHIVE, actor, at)


async def _write(session: AsyncSession, plan: _Plan) -> None:
    table = EntryRow.__table__
    if plan.new_rows:
        await session.execute(insert(table), plan.new_rows)
    if plan.changed_rows:
        names = [c.name for c in table.columns if c.name != "id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(f"_{name}") for name in names})
        )
        await session.execute(
            statement,
            [
                {"_id": values["id"], **{f"_{n}": values.get(n) for n in names}}
                for values in plan.changed_rows
            ],
        )
    changed = list(plan.similar)
    for start in range(0, len(changed), 500):
        chunk = changed[start : start + 500]
        await session.execute(delete(SimilarRow).where(SimilarRow.entry_id.in_(chunk)))
    similar_rows = [
        {"entry_id": entry_id, "position": n, "text": text, "text_key": question_key(text)}
        for entry_id, texts in plan.similar.items()
        for n, text in enumerate(texts)
    ]
    if similar_rows:
        await session.execute(insert(SimilarRow), similar_rows)
    if plan.history:
        await session.execute(insert(HistoryRow), plan.history)
