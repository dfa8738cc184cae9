"""The same knowledge-base code on a real PostgreSQL server (skipped without its binaries)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.integration.lib.kb.conftest import EDITOR, REVIEWER, SUPERVISOR, T0
from tests.integration.servers.backend.postgres_server import PostgresServer, postgres_or_skip
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import EntryDraft
from zhike.lib.kb.errors import Conflict, ImportFileError
from zhike.lib.kb.io import parse
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import UnansweredQueue

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CSV = "question,answer,similar,category\n怎么退款,点退款,如何退款,售后\n发票怎么开,开票,,财务\n"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


@pytest.fixture
async def kb(postgres: PostgresServer) -> AsyncIterator[KnowledgeBase]:
    db = KbDatabase(postgres.url)
    await db.drop_tables()
    await db.create_tables()
    yield KnowledgeBase(db, clock=lambda: T0)
    await db.dispose()


async def test_review_flow_history_and_revision(kb: KnowledgeBase) -> None:
    assert kb.db.dialect == "postgresql"
    entry = await kb.create(EntryDraft("怎么退款", "点退款", ("如何退款",), "售后"), EDITOR)
    await kb.submit(entry.id, EDITOR)
    await kb.approve(entry.id, REVIEWER, "好")
    assert [h.action for h in await kb.history(entry.id)] == ["create", "submit", "approve"]
    snapshot = await kb.snapshot()
    assert snapshot.revision == 1 and snapshot.entries[0].similar == ("如何退款",)
    assert (await kb.list("如何")).total == 1


async def test_import_is_all_or_nothing(kb: KnowledgeBase) -> None:
    report = await kb.import_entries(parse(CSV.encode(), "csv"), actor=SUPERVISOR, publish=True)
    assert (report.created, report.revision) == (2, 1)
    bad = "question,answer,similar\n发票怎么开,新答案,\n退款,答,如何退款\n"
    with pytest.raises(ImportFileError):
        await kb.import_entries(parse(bad.encode(), "csv"), actor=SUPERVISOR, publish=True)
    assert {e.answer for e in (await kb.snapshot()).entries} == {"点退款", "开票"}
    replaced = await kb.import_entries(
        parse(bad.encode(), "csv"), mode="replace", actor=SUPERVISOR, publish=True
    )
    assert (replaced.created, replaced.updated, replaced.archived) == (1, 1, 1)


async def test_concurrent_creates_of_one_question_leave_one_entry(kb: KnowledgeBase) -> None:
    draft = EntryDraft("会员怎么续费", "会员页点续费")
    results = await asyncio.gather(
        *(kb.create(draft, SUPERVISOR) for _ in range(5)), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))


async def test_unanswered_groups(kb: KnowledgeBase) -> None:
    queue = UnansweredQueue(kb)
    for text in ("发票怎么开", "请问发票怎么开啊", "周末上班吗"):
        await queue.record(text, "fallback", "web")
    assert [g.count for g in await queue.groups()] == [2, 1]
