"""Entry operations inside the caller's transaction: create, change, review, archive.

Each function checks the actor's role, locks what it changes, bumps the entry's version,
writes one history row and, when what the robot answers with changes, bumps the
revision. Refusals raise :class:`~zhike.lib.kb.errors.KbError` before anything is written
(the caller's transaction rolls back whatever an error interrupts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.kb import permissions as perm
from zhike.lib.kb.domain import (
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    PUBLISHED,
    Actor,
    Entry,
    EntryDraft,
    question_key,
)
from zhike.lib.kb.errors import Conflict, InvalidEntry, NotFound, VersionConflict
from zhike.lib.kb.models import EntryRow, HistoryRow, SimilarRow
from zhike.lib.kb.rows import (
    bump_revision,
    content_columns,
    dumps,
    lock_state,
    next_id,
    row_draft,
    similar_of,
    to_entry,
)
from zhike.lib.kb.validation import MAX_ANSWER, check_draft

# History actions.
CREATE = "create"
UPDATE = "update"
SUBMIT = "submit"
APPROVE = "approve"
REJECT = "reject"
PUBLISH = "publish"
ARCHIVE = "archive"


async def lock_entry(session: AsyncSession, entry_id: int) -> EntryRow:
    """The entry row, locked for update (404 when there is none)."""
    row = (
        await session.execute(
            select(EntryRow)
            .where(EntryRow.id == entry_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"entry {entry_id} not found")
    return row


async def owners_of(
    session: AsyncSession, keys: Iterable[str], entry_id: int | None
) -> dict[str, int]:
    """Which other active entry has each question key (as question or similar question)."""
    wanted = list(set(keys))
    owners = await session.execute(
        select(EntryRow.id, EntryRow.question_key).where(
            EntryRow.question_key.in_(wanted), EntryRow.status != ARCHIVED
        )
    )
    similar = await session.execute(
        select(SimilarRow.entry_id, SimilarRow.text_key)
        .join(EntryRow, EntryRow.id == SimilarRow.entry_id)
        .where(and_(SimilarRow.text_key.in_(wanted), EntryRow.status != ARCHIVED))
    )
    return {key: owner for owner, key in [*owners, *similar] if owner != entry_id}


async def check_unique(session: AsyncSession, entry_id: int | None, draft: EntryDraft) -> None:
    """Refuses (409) a question or similar question another active entry already has."""
    texts = {question_key(text): text for text in (draft.question, *draft.similar)}
    for key, owner in (await owners_of(session, texts, entry_id)).items():
        raise Conflict(
            f"{texts[key]!r} is already a question of entry {owner}", "duplicate_question"
        )


async def write_similar(session: AsyncSession, entry_id: int, similar: Sequence[str]) -> None:
    """Replaces the entry's similar questions."""
    await session.execute(delete(SimilarRow).where(SimilarRow.entry_id == entry_id))
    if similar:
        await session.execute(
            insert(SimilarRow),
            [
                {"entry_id": entry_id, "position": n, "text": t, "text_key": question_key(t)}
                for n, t in enumerate(similar)
            ],
        )


def history_values(
    entry: Entry, action: str, actor: Actor, at: datetime, comment: str | None
) -> dict[str, object]:
    """The history row of an entry's new version."""
    return {
        "entry_id": entry.id,
        "version": entry.version,
        "action": action,
        "actor": actor.name,
        "role": actor.role,
        "at": at,
        "comment": comment,
        "snapshot": dumps(entry.to_dict()),
    }


async def _finish(
    session: AsyncSession,
    row: EntryRow,
    similar: Iterable[str],
    action: str,
    actor: Actor,
    at: datetime,
    comment: str | None = None,
) -> Entry:
    row.updated_by = actor.name
    row.updated_at = at
    await session.flush()
    entry = to_entry(row, similar)
    await session.execute(insert(HistoryRow), [history_values(entry, action, actor, at, comment)])
    return entry


def _check_version(row: EntryRow, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise VersionConflict(
            f"entry {row.id} is at version {row.version}, not {expected_version}: "
            "someone changed it; reload and try again"
        )


def _comment(comment: str | None, required: bool) -> str | None:
    text = (comment or "").strip()
    if required and not text:
        raise InvalidEntry("a comment is required", field="comment")
    if len(text) > MAX_ANSWER:
        raise InvalidEntry(f"the comment is longer than {MAX_ANSWER} characters", field="comment")
    return text or None


async def create(
    session: AsyncSession, draft: EntryDraft, actor: Actor, at: datetime, comment: str | None = None
) -> Entry:
    """A new draft entry owned by the actor."""
    perm.require(actor, perm.CREATE)
    draft = check_draft(draft)
    await lock_state(session, at)
    await check_unique(session, None, draft)
    row = EntryRow(
        id=await next_id(session),
        **content_columns(draft),
        status=DRAFT,
        version=1,
        draft_owner=actor.name,
        created_by=actor.name,
        created_at=at,
        updated_by=actor.name,
        updated_at=at,
    )
    session.add(row)
    await session.flush()
    await write_similar(session, row.id, draft.similar)
    return await _finish(session, row, draft.similar, CREATE, actor, at, comment)


async def update(
    session: AsyncSession,
    entry_id: int,
    draft: EntryDraft,
    actor: Actor,
    expected_version: int | None,
    at: datetime,
    comment: str | None = None,
) -> Entry:
    """New content for the working copy, which becomes a draft of the actor's.

    The live content (if any) stays until the change is published. Content equal to the
    working copy changes nothing (same version).
    """
    perm.require(actor, perm.UPDATE)
    draft = check_draft(draft)
    await lock_state(session, at)
    row = await lock_entry(session, entry_id)
    _check_version(row, expected_version)
    perm.require_own_draft(actor, row.status, row.draft_owner)
    similar = (await similar_of(session, [entry_id]))[entry_id]
    if row_draft(row, similar) == draft and row.status != ARCHIVED:
        return to_entry(row, similar)
    await check_unique(session, entry_id, draft)
    for name, value in content_columns(draft).items():
        setattr(row, name, value)
    if row.status != DRAFT:
        row.draft_owner = actor.name
    row.status = DRAFT
    row.version += 1
    await write_similar(session, entry_id, draft.similar)
    return await _finish(session, row, draft.similar, UPDATE, actor, at, comment)


async def submit(
    session: AsyncSession, entry_id: int, actor: Actor, at: datetime, expected_version: int | None
) -> Entry:
    """Sends a draft for review."""
    perm.require(actor, perm.SUBMIT)
    await lock_state(session, at)
    row = await lock_entry(session, entry_id)
    _check_version(row, expected_version)
    perm.require_own_draft(actor, row.status, row.draft_owner)
    if row.status != DRAFT:
        raise Conflict(f"entry {entry_id} is {row.status}; only a draft can be submitted")
    row.status = IN_REVIEW
    row.version += 1
    similar = (await similar_of(session, [entry_id]))[entry_id]
    return await _finish(session, row, similar, SUBMIT, actor, at)


async def reject(
    session: AsyncSession,
    entry_id: int,
    actor: Actor,
    comment: str | None,
    at: datetime,
    expected_version: int | None,
) -> Entry:
    """Sends a submitted entry back to its editor with a (required) comment."""
    perm.require(actor, perm.REVIEW)
    text = _comment(comment, required=True)
    await lock_state(session, at)
    row = await lock_entry(session, entry_id)
    _check_version(row, expected_version)
    if row.status != IN_REVIEW:
        raise Conflict(f"entry {entry_id} is {row.status}; only a submitted entry is reviewed")
    row.status = DRAFT
    row.review_comment = text
    row.version += 1
    similar = (await similar_of(session, [entry_id]))[entry_id]
    return await _finish(session, row, similar, REJECT, actor, at, text)


async def publish(
    session: AsyncSession,
    entry_id: int,
    actor: Actor,
    at: datetime,
    expected_version: int | None,
    comment: str | None = None,
    approve: bool = False,
) -> Entry:
    """Makes the working copy live (``approve``: only a submitted one); bumps the revision.

    Publishing an entry that is already published changes nothing.
    """
    perm.require(actor, perm.REVIEW)
    text = _comment(comment, required=False)
    await lock_state(session, at)
    row = await lock_entry(session, entry_id)
    _check_version(row, expected_version)
    if approve and row.status != IN_REVIEW:
        raise Conflict(f"entry {entry_id} is {row.status}; only a submitted entry is approved")
    similar = (await similar_of(session, [entry_id]))[entry_id]
    if row.status == PUBLISHED:
        return to_entry(row, similar)
    draft = row_draft(row, similar)
    if row.status == ARCHIVED:
        await check_unique(session, entry_id, draft)
    row.status = PUBLISHED
    row.version += 1
    row.live = dumps(draft.to_dict())
    row.live_version = row.version
    row.draft_owner = None
    if approve or text:
        row.review_comment = text
    await bump_revision(session, at)
    return await _finish(session, row, similar, APPROVE if approve else PUBLISH, actor, at, text)


async def archive(
    session: AsyncSession,
    entry_id: int,
    actor: Actor,
    at: datetime,
    expected_version: int | None,
    comment: str | None = None,
) -> Entry:
    """Takes the entry out of use (and off the robot); archiving twice changes nothing."""
    perm.require(actor, perm.ARCHIVE)
    text = _comment(comment, required=False)
    await lock_state(session, at)
    row = await lock_entry(session, entry_id)
    _check_version(row, expected_version)
    similar = (await similar_of(session, [entry_id]))[entry_id]
    if row.status == ARCHIVED:
        return to_entry(row, similar)
    perm.require_archive(actor, row.status, row.draft_owner, row.live is not None)
    was_live = row.live is not None
    row.status = ARCHIVED
    row.version += 1
    row.live = None
    row.live_version = None
    row.draft_owner = None
    if was_live:
        await bump_revision(session, at)
    return await _finish(session, row, similar, ARCHIVE, actor, at, text)
