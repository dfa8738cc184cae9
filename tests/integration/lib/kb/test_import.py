"""Bulk import: merge and replace, all or nothing, duplicates against the KB, the seed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.lib.kb.conftest import EDITOR, REVIEWER, SUPERVISOR
from zhike.lib.kb.domain import ARCHIVED, DRAFT, PUBLISHED, EntryDraft, ImportItem
from zhike.lib.kb.errors import Forbidden, ImportFileError
from zhike.lib.kb.io import parse
from zhike.lib.kb.seed import ensure_seeded
from zhike.lib.kb.service import KnowledgeBase

pytestmark = pytest.mark.integration

CSV = """question,answer,similar,category
怎么退款,在订单页点退款,如何退款||退款流程,售后
发票怎么开,个人中心开票,,财务
会员怎么续费,会员页点续费,,会员
"""


def items(text: str) -> tuple[ImportItem, ...]:
    return parse(text.encode(), "csv")


async def questions(kb: KnowledgeBase) -> dict[str, str]:
    return {e.question: e.status for e in await kb.all_entries(include_archived=True)}


async def test_a_published_import_goes_live_in_one_revision(kb: KnowledgeBase) -> None:
    report = await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    assert (report.created, report.updated, report.published, report.revision) == (3, 0, 3, 1)
    snapshot = await kb.snapshot()
    assert snapshot.revision == 1 and len(snapshot.entries) == 3
    history = await kb.history(snapshot.entries[0].id)
    assert [(h.action, h.actor, h.comment) for h in history] == [
        ("create", "主管", "import (merge)")
    ]


async def test_merge_updates_entries_with_the_same_question_and_counts_unchanged_ones(
    kb: KnowledgeBase,
) -> None:
    await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    again = CSV.replace("个人中心开票", "在「我的-发票」开票") + "积分怎么用,下单抵扣,,会员\n"
    report = await kb.import_entries(items(again), actor=SUPERVISOR, publish=True)
    assert (report.created, report.updated, report.archived, report.unchanged) == (1, 1, 0, 2)
    assert report.revision == 2
    answers = {e.question: e.answer for e in (await kb.snapshot()).entries}
    assert answers["发票怎么开"] == "在「我的-发票」开票" and len(answers) == 4
    same = await kb.import_entries(items(again), actor=SUPERVISOR, publish=True)
    assert (same.unchanged, same.revision) == (4, 2)


async def test_an_editors_import_makes_drafts_and_the_live_answers_stay(kb: KnowledgeBase) -> None:
    await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    with pytest.raises(Forbidden):
        await kb.import_entries(items(CSV), actor=EDITOR, publish=True)
    with pytest.raises(Forbidden):
        await kb.import_entries(items(CSV), actor=REVIEWER)
    changed = CSV.replace("个人中心开票", "新答案")
    report = await kb.import_entries(items(changed), actor=EDITOR)
    assert (report.updated, report.unchanged, report.revision) == (1, 2, 1)
    invoice = (await kb.list("发票怎么开")).items[0]
    assert (invoice.status, invoice.answer, invoice.live_version) == (DRAFT, "新答案", 1)
    live = {e.question: e.answer for e in (await kb.snapshot()).entries}
    assert live["发票怎么开"] == "个人中心开票"


async def test_replace_archives_what_the_file_lacks(kb: KnowledgeBase) -> None:
    await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    only_two = "\n".join(CSV.splitlines()[:3]) + "\n"
    with pytest.raises(ImportFileError) as error:
        await kb.import_entries(items(only_two), mode="replace", actor=EDITOR)
    assert "entry 3" in str(error.value.errors[0])
    report = await kb.import_entries(
        items(only_two), mode="replace", actor=SUPERVISOR, publish=True
    )
    assert (report.archived, report.unchanged, report.revision) == (1, 2, 2)
    assert (await questions(kb))["会员怎么续费"] == ARCHIVED
    assert len((await kb.snapshot()).entries) == 2
    back = await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    assert (back.created, back.updated) == (0, 1)  # the archived entry comes back, same id
    assert (await questions(kb))["会员怎么续费"] == PUBLISHED


async def test_a_bad_row_imports_nothing(kb: KnowledgeBase) -> None:
    await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    rows = list(items(CSV.replace("个人中心开票", "新答案")))
    rows.append(ImportItem(9, EntryDraft("坏行", "")))
    with pytest.raises(ImportFileError) as error:
        await kb.import_entries(rows, actor=SUPERVISOR, publish=True)
    assert [str(e) for e in error.value.errors] == ["line 9: answer is empty"]
    assert {e.answer for e in await kb.all_entries()} >= {"个人中心开票"}
    assert await kb.revision() == 1


async def test_a_row_claiming_another_entrys_question_is_reported_by_line(
    kb: KnowledgeBase,
) -> None:
    await kb.import_entries(items(CSV), actor=SUPERVISOR, publish=True)
    clash = "question,answer,similar\n退款流程是什么,答,\n退款,答,如何退款\n"
    with pytest.raises(ImportFileError) as error:
        await kb.import_entries(items(clash), actor=SUPERVISOR)
    assert [str(e) for e in error.value.errors] == [
        "line 3: '如何退款' is already a question of entry 1"
    ]
    assert len(await kb.all_entries()) == 3
    # The same row in replace mode, where entry 1 is archived by the import: fine.
    report = await kb.import_entries(items(clash), mode="replace", actor=SUPERVISOR)
    assert (report.created, report.archived) == (2, 3)


async def test_a_10_mb_import_is_one_transaction_of_seconds(kb: KnowledgeBase) -> None:
    rows = [
        f"问题{n}：会员卡怎么办理,{'答' * 300}{n},相似问{n}||另一种问法{n},分类{n % 9}\n"
        for n in range(11_000)
    ]
    data = ("question,answer,similar,category\n" + "".join(rows)).encode()
    assert len(data) > 10 * 1024 * 1024
    start = time.perf_counter()
    report = await kb.import_entries(parse(data, "csv"), actor=SUPERVISOR, publish=True)
    assert report.created == 11_000 and report.revision == 1
    assert len((await kb.snapshot()).entries) == 11_000
    assert time.perf_counter() - start < 60


async def test_the_seed_is_imported_once_into_an_empty_knowledge_base(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    seed = tmp_path / "faq.yml"
    seed.write_text("- {question: 怎么退款, answer: 点退款}\n- {question: 发票, answer: 开票}\n")
    first = await ensure_seeded(kb, seed)
    assert (first.created, first.published, first.skipped) == (2, 2, False)
    entry = (await kb.snapshot()).entries[0]
    await kb.archive(entry.id, SUPERVISOR)
    second = await ensure_seeded(kb, seed)
    assert second.skipped and second.created == 0
    assert len((await kb.snapshot()).entries) == 1  # staff's archive stays
