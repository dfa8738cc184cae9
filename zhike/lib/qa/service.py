"""Quality inspection of desk conversations: the live word checks and the inspections.

:class:`QaService` works on the ``qa_*`` tables (:mod:`zhike.lib.qa.store`) and reads
conversations through the handoff service. Its matcher is rebuilt only when the word
list's revision changed, which is read (one primary-key row) before every use, so a word
a supervisor adds on one replica is enforced by every replica at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import or_, select

from zhike.common.times import utcnow
from zhike.lib.handoff import HandoffService
from zhike.lib.handoff.errors import NotFound
from zhike.lib.handoff.models import CLOSED, Conversation
from zhike.lib.qa import store
from zhike.lib.qa.matcher import Hit, Matcher
from zhike.lib.qa.models import CONFIRMED, DISMISSED, PENDING, TRANSFER
from zhike.lib.qa.rules import Line, RuleSettings, Transcript, inspect_transcript
from zhike.lib.qa.sentiment import score
from zhike.lib.qa.store import QaDatabase, QaError
from zhike.lib.qa.words import MAX_WORD, blocking_categories, categories, masked_categories, starter

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=7)  # how far back the catch-up looks for uninspected conversations
CATCH_UP_BATCH = 50
DECISIONS = {"confirm": CONFIRMED, "dismiss": DISMISSED}


class QaService:
    """Sensitive words, rule settings, inspections and reviews.

    Args:
        db: The database with the ``qa_*`` tables (created on first use).
        handoff: Where the conversations are.
        clock: The current aware time.
    """

    def __init__(
        self, db: QaDatabase, handoff: HandoffService, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.handoff = handoff
        self.clock = clock
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._matcher: tuple[int, Matcher] | None = None

    def _now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    async def ensure(self) -> None:
        """Creates the tables and loads the starter words into a new database, once."""
        if self._ready:
            return
        async with self._ready_lock:
            if not self._ready:
                await self.db.create_tables()
                await store.seed_words(self.db, starter().words, self._now())
                self._ready = True

    async def matcher(self) -> Matcher:
        """The matcher of the current word list (rebuilt when its revision changed)."""
        await self.ensure()
        current = await store.revision(self.db)
        if self._matcher is None or self._matcher[0] != current:
            revision, rows = await store.words(self.db)
            pairs = [(row.word, row.category) for row in rows]
            built = await asyncio.to_thread(Matcher, pairs)
            self._matcher = (revision, built)
        return self._matcher[1]

    async def blocked_word(self, text: str) -> Hit | None:
        """The first word of a blocking category in an agent's reply, or None."""
        blocking = blocking_categories()
        found = [hit for hit in (await self.matcher()).find(text) if hit.category in blocking]
        return found[0] if found else None

    async def masker(self) -> Callable[[str], str]:
        """A function hiding abusive words (``***``) in a customer's message."""
        matcher, masked = await self.matcher(), masked_categories()
        return lambda text: matcher.mask(text, masked) if text else text

    # --- the word list and the rules -------------------------------------------------

    async def words(self) -> dict[str, Any]:
        """The word list with its revision and the categories."""
        await self.ensure()
        revision, rows = await store.words(self.db)
        return {
            "revision": revision,
            "categories": [
                {"name": c.name, "block_agent": c.block_agent, "mask_customer": c.mask_customer}
                for c in categories().values()
            ],
            "words": [
                {"id": r.id, "word": r.word, "category": r.category, "created_by": r.created_by}
                for r in rows
            ],
        }

    async def add_word(self, word: object, category: object, by: str) -> dict[str, Any]:
        """Adds a word (400 for a blank, too long or unknown-category one, 409 if listed)."""
        if not isinstance(word, str) or not word.strip() or len(word.strip()) > MAX_WORD:
            raise QaError(400, "invalid_word", f"敏感词须为 1-{MAX_WORD} 个字符")
        if category not in categories():
            raise QaError(400, "invalid_category", "类别须为：" + "、".join(categories()))
        await self.ensure()
        row = await store.add_word(self.db, word.strip(), str(category), by, self._now())
        return {"id": row.id, "word": row.word, "category": row.category, "created_by": by}

    async def remove_word(self, word_id: int) -> None:
        """Removes a word (404 when there is none such)."""
        await self.ensure()
        await store.remove_word(self.db, word_id, self._now())

    async def settings(self) -> RuleSettings:
        """The rule settings (defaults until a supervisor saves some)."""
        await self.ensure()
        saved = await store.read_document(self.db, store.RULES_KEY)
        try:
            return RuleSettings.from_dict(saved or {})
        except ValueError:
            logger.warning("stored quality-inspection settings are invalid; using defaults")
            return RuleSettings()

    async def save_settings(self, data: dict[str, Any]) -> RuleSettings:
        """Validates and saves the settings (400 ``invalid_settings``)."""
        try:
            settings = RuleSettings.from_dict(data)
        except ValueError as error:
            raise QaError(400, "invalid_settings", str(error)) from None
        await self.ensure()
        await store.write_document(self.db, store.RULES_KEY, settings.to_dict(), self._now())
        return settings

    # --- events and inspections ------------------------------------------------------

    async def record_transfer(self, conversation_id: int) -> None:
        """Counts a transfer of the conversation (for the repeated-transfer rule)."""
        await self.ensure()
        await store.add_event(self.db, conversation_id, TRANSFER, self._now())

    async def inspect(self, conversation_id: int) -> dict[str, Any] | None:
        """Inspects a closed conversation and stores (replaces) its record.

        Returns:
            The record, or None when the conversation is not closed or never had an agent.
        """
        await self.ensure()
        try:
            info = await self.handoff.conversation(conversation_id)
        except NotFound:
            return None
        if info.state != CLOSED or info.agent_assigned_at is None:
            return None
        stored = await self.handoff.messages(conversation_id)
        lines = [Line(m.seq, m.direction, m.text, m.created_at) for m in stored]
        transcript = Transcript(
            conversation_id,
            lines,
            info.agent_assigned_at,
            info.closed_at,
            info.rating,
            await store.count_events(self.db, conversation_id, TRANSFER),
            [t for t in info.summary.get("recent_messages") or [] if isinstance(t, str)],
        )
        settings, matcher, masked = await self.settings(), await self.matcher(), masked_categories()
        result = await asyncio.to_thread(
            inspect_transcript, transcript, settings, matcher, masked, score
        )
        agent_id = info.agent_id or next(
            (
                str((m.payload or {}).get("agent_id"))
                for m in reversed(stored)
                if m.direction == "agent" and (m.payload or {}).get("agent_id")
            ),
            None,
        )
        return await store.save_record(
            self.db,
            {
                "conversation_id": conversation_id,
                "agent_id": agent_id,
                "skill_group": info.skill_group,
                "score": result.score,
                "rules": "," + "".join(f"{name}," for name in result.rules),
                "hits": [hit.to_dict() for hit in result.hits],
                "excerpt": result.excerpt,
                "rating": info.rating,
                "closed_at": info.closed_at,
                "inspected_at": self._now(),
            },
        )

    async def due(self, since: datetime, limit: int) -> list[int]:
        """Closed, agent-served conversations since ``since`` not inspected since they changed.

        A closed conversation changes only when the customer rates it: one whose record
        has another rating is due again.
        """
        async with self.handoff.db.session() as session:
            rows = await session.execute(
                select(Conversation.id, Conversation.rating)
                .where(
                    Conversation.state == CLOSED,
                    Conversation.agent_assigned_at.is_not(None),
                    or_(Conversation.closed_at >= since, Conversation.rated_at >= since),
                )
                .order_by(Conversation.closed_at)
            )
            found = rows.all()
        done = await store.inspected(self.db, [cid for cid, _ in found])
        wanted = [cid for cid, rating in found if cid not in done or done[cid] != rating]
        return wanted[:limit]

    async def closed_since(self, since: datetime) -> list[int]:
        """Every closed, agent-served conversation closed or rated since ``since``."""
        async with self.handoff.db.session() as session:
            rows = await session.execute(
                select(Conversation.id)
                .where(
                    Conversation.state == CLOSED,
                    Conversation.agent_assigned_at.is_not(None),
                    or_(Conversation.closed_at >= since, Conversation.rated_at >= since),
                )
                .order_by(Conversation.closed_at)
            )
            return [cid for (cid,) in rows.all()]

    async def inspect_since(self, since: datetime, limit: int = 10_000) -> int:
        """Inspects the due conversations since ``since`` (backfill); how many."""
        await self.ensure()
        count = 0
        for cid in await self.due(since, limit):
            if await self.inspect(cid) is not None:
                count += 1
        return count

    async def catch_up(self) -> int:
        """Inspects a batch of recent due conversations (missed closes, late ratings)."""
        return await self.inspect_since(self._now() - LOOKBACK, CATCH_UP_BATCH)

    async def records(
        self, status: str | None, rule: str | None, agent_id: str | None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Flagged records (``status`` one of pending, confirmed, dismissed; default all)."""
        await self.ensure()
        statuses = (status,) if status else (PENDING, CONFIRMED, DISMISSED)
        return await store.find_records(self.db, statuses, rule, agent_id, limit)

    async def record(self, record_id: int) -> dict[str, Any]:
        """One record (404 when there is none)."""
        await self.ensure()
        return await store.get_record(self.db, record_id)

    async def review(
        self, record_id: int, decision: object, comment: object, reviewer: str
    ) -> dict[str, Any]:
        """Confirms or dismisses a record with an optional comment (at most 500 characters)."""
        if decision not in DECISIONS:
            raise QaError(400, "invalid_decision", "decision 须为 confirm 或 dismiss")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
            raise QaError(400, "invalid_comment", "备注最多 500 字")
        await self.ensure()
        text = (comment or "").strip()
        status = DECISIONS[str(decision)]
        return await store.review_record(self.db, record_id, status, text, reviewer, self._now())
