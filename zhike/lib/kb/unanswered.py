"""The unanswered-questions queue (知识库迭代) and knowledge coverage (知识库覆盖率).

Every customer question the robot could not answer is recorded (masked) with why:
``fallback``, ``rejected`` (the user said 都不是 to the suggestions), ``handoff`` (a handoff
right after a bot answer) or ``low_rating``. Near-duplicates join one group when they are
recorded, so 300 ways of asking one thing are one row with a count and examples; staff
turn a group into a new entry, add it to an entry as similar questions, or dismiss it.

Grouping compares character bigrams of the normalised text (Jaccard, or containment for
longer questions) with the open groups seen lately; :func:`similarity` is that scorer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.privacy import mask_text
from zhike.lib.kb import entries
from zhike.lib.kb import permissions as perm
from zhike.lib.kb.domain import Actor, Entry, EntryDraft, question_key
from zhike.lib.kb.errors import Conflict, InvalidEntry, NotFound
from zhike.lib.kb.models import (
    DISMISSED,
    OPEN,
    RESOLVED,
    AnsweredRow,
    UnansweredGroupRow,
    UnansweredRow,
)
from zhike.lib.kb.rows import similar_of
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.validation import MAX_QUESTION, MAX_SIMILAR

FALLBACK = "fallback"
REJECTED = "rejected"
HANDOFF = "handoff"
LOW_RATING = "low_rating"
REASONS = (FALLBACK, REJECTED, HANDOFF, LOW_RATING)
# Reasons that follow an answer the robot gave: that answer did not cover the question.
AFTER_ANSWER = (HANDOFF, LOW_RATING)
GROUP_THRESHOLD = 0.6
CANDIDATE_GROUPS = 2000
RECENT = timedelta(days=90)
MAX_TEXT = 500
EXAMPLES = 5
MAX_ADDED_SIMILAR = 20


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


def similarity(a: str, b: str) -> float:
    """How alike two questions are, 0-1: bigram Jaccard, or containment when both are long."""
    x, y = _bigrams(question_key(a)), _bigrams(question_key(b))
    if not x or not y:
        return 0.0
    shared = len(x & y)
    jaccard = shared / len(x | y)
    smaller = min(len(x), len(y))
    containment = shared / smaller if smaller >= 3 else 0.0
    return max(jaccard, 0.9 * containment)


@dataclass(frozen=True)
class UnansweredGroup:
    """Near-duplicate unanswered questions: the first one, how often, examples, reasons."""

    id: int
    text: str
    count: int
    first_at: datetime
    last_at: datetime
    examples: tuple[str, ...]
    reasons: Mapping[str, int]
    state: str
    entry_id: int | None


@dataclass(frozen=True)
class Coverage:
    """Knowledge coverage in ``[since, until)``: ``covered / questions`` (``None``: none).

    ``questions`` = KB answers + unanswered questions that followed no answer
    (fallback, rejected); ``covered`` = KB answers minus the answers followed by a handoff
    or a low rating.
    """

    since: datetime
    until: datetime
    questions: int
    answered: int
    covered: int
    unanswered: int
    rate: float | None


class UnansweredQueue:
    """The queue on the knowledge base's database; each call is one transaction."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.db = kb.db

    def _at(self, at: datetime | None) -> datetime:
        if at is not None and (at.tzinfo is None or at.utcoffset() is None):
            raise InvalidEntry("times must be timezone-aware", "naive_datetime")
        return at if at is not None else self.kb.now()

    async def record(
        self, text: str, reason: str, channel: str = "", at: datetime | None = None
    ) -> int | None:
        """Records a question the robot could not answer; its group id (``None``: blank)."""
        if reason not in REASONS:
            raise InvalidEntry(f"reason must be one of {', '.join(REASONS)}", field="reason")
        masked = mask_text(" ".join(str(text or "").replace("\x00", "").split()))[:MAX_TEXT]
        key = question_key(masked)[:MAX_TEXT]
        if not key:
            return None
        when = self._at(at)
        return await self.db.run(lambda s: _record(s, masked, key, reason, channel[:64], when))

    async def record_answer(
        self, entry_id: int, channel: str = "", at: datetime | None = None
    ) -> None:
        """Counts one answer the robot gave from the knowledge base (for coverage)."""
        when = self._at(at)

        async def work(session: AsyncSession) -> None:
            session.add(AnsweredRow(entry_id=entry_id, channel=channel[:64], at=when))

        await self.db.run(work)

    async def groups(
        self, since: datetime | None = None, limit: int = 50, state: str = OPEN
    ) -> tuple[UnansweredGroup, ...]:
        """Groups with questions since ``since``, most frequent first (counts in the period)."""
        async with self.db.session() as session:
            return await _groups(session, since, max(1, min(limit, 500)), state)

    async def resolve_to_new_entry(
        self, group_id: int, draft: EntryDraft, actor: Actor, publish: bool = False
    ) -> Entry:
        """Creates an entry from a group (``publish``: live at once) and closes the group."""
        at = self.kb.now()

        async def work(session: AsyncSession) -> Entry:
            group = await _open_group(session, group_id)
            entry = await entries.create(session, draft, actor, at, f"from unanswered {group_id}")
            if publish:
                entry = await entries.publish(session, entry.id, actor, at, None)
            _close(group, RESOLVED, actor, at, entry.id)
            return entry

        return await self.db.run(work)

    async def add_as_similar(
        self, group_id: int, entry_id: int, actor: Actor, publish: bool = False
    ) -> Entry:
        """Adds the group's questions to an entry as similar questions, closing the group.

        The most frequent distinct questions are added (up to 20), skipping those the
        entry or another entry already has. The entry becomes a draft like any change
        (``publish``: published at once, for roles that may publish).
        """
        at = self.kb.now()

        async def work(session: AsyncSession) -> Entry:
            group = await _open_group(session, group_id)
            current = await entries.lock_entry(session, entry_id)
            similar = (await similar_of(session, [entry_id]))[entry_id]
            texts = await _group_texts(session, group_id)
            taken = {question_key(t) for t in (current.question, *similar)}
            owners = await entries.owners_of(session, map(question_key, texts), entry_id)
            added: list[str] = []
            for text in texts:
                key = question_key(text)
                if key not in taken and key not in owners and len(text) <= MAX_QUESTION:
                    taken.add(key)
                    added.append(text)
            room = max(0, MAX_SIMILAR - len(similar))
            draft = entries.row_draft(current, (*similar, *added[: min(room, MAX_ADDED_SIMILAR)]))
            entry = await entries.update(session, entry_id, draft, actor, None, at)
            if publish:
                entry = await entries.publish(session, entry_id, actor, at, None)
            _close(group, RESOLVED, actor, at, entry_id)
            return entry

        return await self.db.run(work)

    async def dismiss(self, group_id: int, actor: Actor) -> None:
        """Closes a group without an entry (not a knowledge question, spam …)."""
        perm.require(actor, perm.TRIAGE)
        at = self.kb.now()

        async def work(session: AsyncSession) -> None:
            _close(await _open_group(session, group_id), DISMISSED, actor, at, None)

        await self.db.run(work)

    async def coverage(self, since: datetime, until: datetime) -> Coverage:
        """Knowledge coverage in ``[since, until)`` (see :class:`Coverage`)."""
        async with self.db.session() as session:
            answered = await session.scalar(
                select(func.count()).where(AnsweredRow.at >= since, AnsweredRow.at < until)
            )
            reasons = dict(
                (
                    await session.execute(
                        select(UnansweredRow.reason, func.count())
                        .where(UnansweredRow.at >= since, UnansweredRow.at < until)
                        .group_by(UnansweredRow.reason)
                    )
                ).all()
            )
        answers = int(answered or 0)
        after = sum(int(reasons.get(r, 0)) for r in AFTER_ANSWER)
        unanswered = sum(int(n) for r, n in reasons.items() if r not in AFTER_ANSWER)
        covered = max(0, answers - after)
        questions = answers + unanswered
        rate = covered / questions if questions else None
        return Coverage(since, until, questions, answers, covered, unanswered + after, rate)


async def _record(
    session: AsyncSession, text: str, key: str, reason: str, channel: str, at: datetime
) -> int:
    candidates = (
        await session.execute(
            select(UnansweredGroupRow.id, UnansweredGroupRow.text_key)
            .where(UnansweredGroupRow.state == OPEN, UnansweredGroupRow.last_at >= at - RECENT)
            .order_by(UnansweredGroupRow.count.desc())
            .limit(CANDIDATE_GROUPS)
        )
    ).all()
    best, best_score = None, GROUP_THRESHOLD
    for group_id, group_key in candidates:
        score = 1.0 if group_key == key else similarity(group_key, key)
        if score >= best_score:
            best, best_score = group_id, score
            if score == 1.0:
                break
    group = await session.get(UnansweredGroupRow, best, with_for_update=True) if best else None
    if group is None:
        group = UnansweredGroupRow(
            text=text, text_key=key, state=OPEN, first_at=at, last_at=at, count=0
        )
        session.add(group)
        await session.flush()
    group.count += 1
    group.last_at = max(group.last_at, at)
    await session.execute(
        insert(UnansweredRow),
        [{"group_id": group.id, "text": text, "reason": reason, "channel": channel, "at": at}],
    )
    return int(group.id)


async def _open_group(session: AsyncSession, group_id: int) -> UnansweredGroupRow:
    group = await session.get(UnansweredGroupRow, group_id, with_for_update=True)
    if group is None:
        raise NotFound(f"unanswered group {group_id} not found")
    if group.state != OPEN:
        raise Conflict(f"unanswered group {group_id} is already {group.state}")
    return group


def _close(
    group: UnansweredGroupRow, state: str, actor: Actor, at: datetime, entry_id: int | None
) -> None:
    group.state = state
    group.resolved_by = actor.name
    group.resolved_at = at
    group.entry_id = entry_id


async def _group_texts(session: AsyncSession, group_id: int) -> list[str]:
    """The group's distinct questions, most frequent first."""
    rows = await session.execute(
        select(UnansweredRow.text, func.count())
        .where(UnansweredRow.group_id == group_id)
        .group_by(UnansweredRow.text)
        .order_by(func.count().desc(), func.min(UnansweredRow.id))
    )
    return [text for text, _ in rows]


async def _groups(
    session: AsyncSession, since: datetime | None, limit: int, state: str
) -> tuple[UnansweredGroup, ...]:
    conditions = [UnansweredGroupRow.state == state]
    if since is not None:
        conditions.append(UnansweredRow.at >= since)
    counted = (
        await session.execute(
            select(UnansweredGroupRow, func.count(UnansweredRow.id).label("n"))
            .join(UnansweredRow, UnansweredRow.group_id == UnansweredGroupRow.id)
            .where(*conditions)
            .group_by(UnansweredGroupRow.id)
            .order_by(func.count(UnansweredRow.id).desc(), UnansweredGroupRow.last_at.desc())
            .limit(limit)
        )
    ).all()
    found = []
    for group, count in counted:
        texts = await _group_texts(session, group.id)
        reasons = Counter(
            dict(
                (
                    await session.execute(
                        select(UnansweredRow.reason, func.count())
                        .where(UnansweredRow.group_id == group.id)
                        .group_by(UnansweredRow.reason)
                    )
                ).all()
            )
        )
        found.append(
            UnansweredGroup(
                id=group.id,
                text=group.text,
                count=int(count),
                first_at=group.first_at,
                last_at=group.last_at,
                examples=tuple(texts[:EXAMPLES]),
                reasons=dict(reasons),
                state=group.state,
                entry_id=group.entry_id,
            )
        )
    return tuple(found)
