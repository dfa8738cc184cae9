"""The inspection service on SQLite: records are idempotent, late ratings re-inspected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.qa import store
from zhike.lib.qa.jobs import InspectionJob
from zhike.lib.qa.models import Record
from zhike.lib.qa.service import QaService
from zhike.lib.qa.store import QaDatabase, QaError

T0 = datetime(2024, 6, 4, 2, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def qa(tmp_path: Path) -> AsyncIterator[tuple[QaService, HandoffService, Clock]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    clock = Clock()
    handoff_db = HandoffDatabase(url)
    await handoff_db.create_tables()
    handoff = HandoffService(handoff_db, clock=clock)
    await handoff.save_agent("a1", "王芳", ["orders"], online=True)
    qa_db = QaDatabase.sharing(handoff_db)
    yield QaService(qa_db, handoff, clock=clock), handoff, clock
    await qa_db.dispose()  # shared: does not close the handoff engine
    await handoff_db.dispose()


async def served_conversation(handoff: HandoffService, clock: Clock, sender: str) -> int:
    """A conversation accepted by a1, answered without a greeting, then closed."""
    outcome = await handoff.request_handoff(sender, "rest", None, "orders", {}, now=clock.now)
    cid = outcome.conversation_id
    await handoff.route_user_message(sender, "rest", "快递到哪了", f"{sender}-1", now=clock.now)
    await handoff.accept("a1", cid, now=clock.now + timedelta(seconds=5))
    await handoff.append_message(
        cid, "agent", "查到了，明天到", f"{sender}-a1", {"agent_id": "a1"},
        now=clock.now + timedelta(seconds=20), agent_id="a1",
    )  # fmt: skip
    await handoff.close(cid, "a1", "resolved", now=clock.now + timedelta(seconds=30))
    return cid


async def test_inspecting_twice_replaces_the_record(
    qa: tuple[QaService, HandoffService, Clock],
) -> None:
    service, handoff, clock = qa
    cid = await served_conversation(handoff, clock, "s1")
    first = await service.inspect(cid)
    assert first is not None and first["rules"] == ["no_greeting", "no_closing"]
    assert first["status"] == "pending" and first["agent_id"] == "a1" and first["score"] == 85
    reviewed = await service.review(first["id"], "confirm", "请注意问候语", "s9")
    assert reviewed["status"] == "confirmed"
    again = await service.inspect(cid)
    assert again is not None and again["id"] == first["id"]
    assert again["status"] == "confirmed"  # same rules: the review stands
    async with service.db.session() as session:
        from sqlalchemy import func, select

        assert await session.scalar(select(func.count(Record.id))) == 1


async def test_a_late_low_rating_is_caught_up_and_reopens_the_review(
    qa: tuple[QaService, HandoffService, Clock],
) -> None:
    service, handoff, clock = qa
    cid = await served_conversation(handoff, clock, "s2")
    clock.now = T0 + timedelta(minutes=1)
    job = InspectionJob(service, "replica-1")
    assert (await job.round()).inspected == 1
    assert (await job.round()).inspected == 0  # nothing changed since
    record = (await service.records(None, None, None))[0]
    await service.review(record["id"], "dismiss", None, "s9")
    await handoff.rate(cid, 1, "太慢了", now=T0 + timedelta(minutes=2))
    clock.now = T0 + timedelta(minutes=3)
    assert (await job.round()).inspected == 1
    record = await service.record(record["id"])
    assert "low_rating" in record["rules"] and record["status"] == "pending"
    assert [r["id"] for r in await service.records("pending", "low_rating", "a1")] == [record["id"]]
    assert await service.records("pending", "low_rating", "a2") == []


async def test_open_conversations_are_not_inspected(
    qa: tuple[QaService, HandoffService, Clock],
) -> None:
    service, handoff, clock = qa
    outcome = await handoff.request_handoff("s3", "rest", None, "orders", {}, now=clock.now)
    assert await service.inspect(outcome.conversation_id) is None
    assert await service.inspect(99999) is None


async def test_words_are_seeded_once_and_edits_change_the_matcher(
    qa: tuple[QaService, HandoffService, Clock],
) -> None:
    service, _, _ = qa
    listed = await service.words()
    assert listed["revision"] == 1 and any(w["word"] == "加我微信" for w in listed["words"])
    assert await service.blocked_word("您好，请问有什么可以帮您") is None
    added = await service.add_word("包退包换随便退", "违规承诺", "s9")
    hit = await service.blocked_word("放心，包退包换随便退")
    assert hit is not None and hit.category == "违规承诺"
    with pytest.raises(QaError) as refused:
        await service.add_word("包退包换随便退", "违规承诺", "s9")
    assert refused.value.status == 409
    await service.remove_word(added["id"])
    assert await service.blocked_word("放心，包退包换随便退") is None
    for word in (await service.words())["words"]:
        await service.remove_word(word["id"])
    other = QaService(service.db, service.handoff)  # another replica: no re-seeding
    assert (await other.words())["words"] == []
    with pytest.raises(QaError):
        await service.add_word("x", "不存在的类别", "s9")


async def test_an_inspection_that_read_before_the_rating_does_not_replace_a_later_one(
    qa: tuple[QaService, HandoffService, Clock],
) -> None:
    service, handoff, clock = qa
    cid = await served_conversation(handoff, clock, "s4")
    await handoff.rate(cid, 1, now=T0 + timedelta(minutes=1))
    later = await service.inspect(cid)
    assert later is not None and "low_rating" in later["rules"]
    stale = {
        "conversation_id": cid, "agent_id": "a1", "skill_group": "orders", "score": 85,
        "rules": ",no_greeting,no_closing,", "hits": [{"rule": "no_greeting"}], "excerpt": [],
        "rating": None, "closed_at": T0, "inspected_at": T0 + timedelta(minutes=2),
    }  # fmt: skip
    kept = await store.save_record(service.db, stale)
    assert "low_rating" in kept["rules"] and kept["rating"] == 1
