"""Rasa-shaped events for the analytics tests, and a fresh analytics database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.settings import AnalyticsSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 10:00 in Shanghai (business hours).
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
META = {"model_id": "m1", "assistant_id": "zhike"}


class Script:
    """One sender's events as Rasa publishes them (``sender_id`` + ``event.as_dict()``).

    Every event is one second after the previous one unless :meth:`wait` moves the clock.
    """

    def __init__(self, sender: str, start: datetime = T0, channel: str = "rest") -> None:
        self.sender = sender
        self.channel = channel
        self.now = start
        self.events: list[dict[str, Any]] = []
        self._count = 0

    def _add(self, **event: Any) -> Script:
        self.now += timedelta(seconds=1)
        self._count += 1
        self.events.append(
            {"sender_id": self.sender, "timestamp": self.now.timestamp(), "metadata": META, **event}
        )
        return self

    def wait(self, **delta: float) -> Script:
        self.now += timedelta(**delta)
        return self

    def session(self) -> Script:
        self._add(event="action", name="action_session_start", policy=None, confidence=1.0)
        return self._add(event="session_started")

    def user(
        self, text: str, intent: str, confidence: float = 0.93, kb_entry: str | None = None
    ) -> Script:
        entities = [{"entity": "kb_entry", "value": kb_entry}] if kb_entry else []
        return self._add(
            event="user",
            text=text,
            input_channel=self.channel,
            message_id=f"{self.sender}-{self._count}",
            parse_data={
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities,
                "text": text,
                "intent_ranking": [{"name": intent, "confidence": confidence}],
            },
        )

    def bot(self, text: str, utter: str | None = None) -> Script:
        metadata = {**META, **({"utter_action": utter} if utter else {})}
        self._add(event="bot", text=text, data={"buttons": None})
        self.events[-1]["metadata"] = metadata
        return self

    def action(self, name: str) -> Script:
        return self._add(event="action", name=name, policy="RulePolicy", confidence=1.0)

    def slot(self, name: str, value: Any) -> Script:
        return self._add(event="slot", name=name, value=value)

    def loop(self, name: str | None) -> Script:
        return self._add(event="active_loop", name=name)

    def kb_answer(self, question: str, answer: str = "一般48小时内发货。") -> Script:
        """A question the knowledge base answers."""
        self.user(question, "faq").action("action_answer_knowledge").bot(answer)
        return self.slot("kb_answered", question).action("action_listen")

    def fallback(self, text: str) -> Script:
        """A message the bot did not understand: the two-stage fallback's first stage."""
        self.user(text, "nlu_fallback", 0.2).action("action_two_stage_fallback")
        return self.bot("您是想问下面哪个问题呢？", "utter_ask_rephrase")

    def kb_no_answer(self, question: str) -> Script:
        """A question the knowledge base has no answer for."""
        self.user(question, "faq").action("action_answer_knowledge")
        self.bot("这个问题我暂时还答不上来", "utter_kb_no_answer")
        return self.slot("kb_question", None)


def settings(db_url: str, **overrides: Any) -> AnalyticsSettings:
    """Analytics settings on ``db_url``, everything else default."""
    values: dict[str, Any] = {"db_url": db_url, "handoff_db_url": None}
    values.update(overrides)
    return AnalyticsSettings(**values)


@pytest.fixture
async def analytics_db(tmp_path: Path) -> AsyncIterator[AnalyticsDatabase]:
    db = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    await db.create_tables()
    yield db
    await db.dispose()
