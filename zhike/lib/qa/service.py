"""Quality inspection of conversations: the live word checks and the inspections.

:class:`QaService` works on the ``qa_*`` tables (:mod:`zhike.lib.qa.store`), reads
conversations through the handoff service and their whole transcripts (bot and agent
turns) from the analytics tables (:mod:`zhike.lib.qa.transcripts`). Its matcher is
rebuilt only when the word list's revision changed, which is read (one primary-key row)
before every use, so a word a supervisor adds on one replica is enforced by every
replica at once. Which conversations to inspect, and when, is :mod:`zhike.lib.qa.jobs`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from zhike.common.database import AsyncDatabase
from zhike.common.times import utcnow
from zhike.lib.handoff import HandoffService
from zhike.lib.handoff.errors import NotFound
from zhike.lib.handoff.models import CLOSED
from zhike.lib.qa import store
from zhike.lib.qa.matcher import Hit, Matcher
from zhike.lib.qa.models import CONFIRMED, DISMISSED, PENDING, TRANSFER
from zhike.lib.qa.rules import Line, RuleSettings, Transcript, inspect_transcript
from zhike.lib.qa.sentiment import score
from zhike.lib.qa.store import QaDatabase, QaError
from zhike.lib.qa.transcripts import FinishedSession, episode_lines, session_lines
from zhike.lib.qa.words import MAX_WORD, blocking_categories, categories, masked_categories, starter

logger = logging.getLogger(__name__)

DECISIONS = {"confirm": CONFIRMED, "dismiss": DISMISSED}


class QaService:
    """Sensitive words, rule settings, inspections and reviews.

    Args:
        db: The database with the ``qa_*`` tables (created on first use).
        handoff: Where the conversations are.
        clock: The current aware time.
        analytics: The analytics tables (whole transcripts, bot-only conversations);
            without them only the desk's part of a handed-off conversation is inspected.
    """

    def __init__(
        self,
        db: QaDatabase,
        handoff: HandoffService,
        clock: Callable[[], datetime] = utcnow,
        analytics: AsyncDatabase | None = None,
    ) -> None:
        self.db = db
        self.handoff = handoff
        self.clock = clock
        self.analytics = analytics
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

    async def _result(self, transcript: Transcript) -> Any:
        settings, matcher, masked = await self.settings(), await self.matcher(), masked_categories()
        return await asyncio.to_thread(
            inspect_transcript, transcript, settings, matcher, masked, score
        )

    async def inspect(self, conversation_id: int) -> dict[str, Any] | None:
        """Inspects a closed, agent-served conversation and stores (replaces) its record.

        The transcript is the whole conversation from the analytics tables when the
        consumer has it (bot turns included), else the desk's part and the bot summary.

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
        whole = await episode_lines(self.analytics, conversation_id) if self.analytics else None
        if whole is not None and any(line.who == "user" for line in whole.lines):
            lines, recent = whole.lines, []
        else:
            whole = None
            lines = [Line(m.seq, m.direction, m.text, m.created_at) for m in stored]
            recent = [t for t in info.summary.get("recent_messages") or [] if isinstance(t, str)]
        transcript = Transcript(
            conversation_id,
            lines,
            info.agent_assigned_at,
            info.closed_at,
            info.rating,
            await store.count_events(self.db, conversation_id, TRANSFER),
            recent,
        )
        result = await self._result(transcript)
        agent_id = info.agent_id or next(
            (
                str((m.payload or {}).get("agent_id"))
                for m in reversed(stored)
                if m.direction == "agent" and (m.payload or {}).get("agent_id")
            ),
            None,
        )
        return await self._save(
            conversation_id,
            result,
            agent_id=agent_id,
            skill_group=info.skill_group,
            session_key=whole.session_key if whole else None,
            channel=info.channel,
            with_agent=True,
            rating=info.rating,
            closed_at=info.closed_at,
        )

    async def inspect_session(self, found: FinishedSession) -> dict[str, Any] | None:
        """Inspects a finished bot-only conversation (record key ``-found.id``).

        Returns:
            The record, or None without the analytics tables.
        """
        if self.analytics is None:
            return None
        await self.ensure()
        lines = await session_lines(self.analytics, found.session_key)
        transcript = Transcript(-found.id, lines, None, found.last_at, found.rating)
        return await self._save(
            -found.id,
            await self._result(transcript),
            agent_id=None,
            skill_group=None,
            session_key=found.session_key,
            channel=found.channel,
            with_agent=False,
            rating=found.rating,
            closed_at=found.last_at,
        )

    async def _save(self, key: int, result: Any, **values: Any) -> dict[str, Any]:
        return await store.save_record(
            self.db,
            {
                "conversation_id": key,
                "score": result.score,
                "rules": "," + "".join(f"{name}," for name in result.rules),
                "hits": [hit.to_dict() for hit in result.hits],
                "excerpt": result.excerpt,
                "inspected_at": self._now(),
                **values,
            },
        )

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
