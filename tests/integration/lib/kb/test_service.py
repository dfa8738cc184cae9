"""Roles, the review flow, versions and history, and the revision the robot watches."""

from __future__ import annotations

from datetime import date

import pytest

from tests.integration.lib.kb.conftest import AGENT, EDITOR, OTHER_EDITOR, REVIEWER, SUPERVISOR
from zhike.lib.kb.domain import ARCHIVED, DRAFT, IN_REVIEW, PUBLISHED, EntryDraft
from zhike.lib.kb.errors import Conflict, Forbidden, InvalidEntry, NotFound, VersionConflict
from zhike.lib.kb.service import KnowledgeBase

pytestmark = pytest.mark.integration

REFUND = EntryDraft("怎么退款？", "在订单页点「退款」即可。", ("如何退款", "退款流程"), "售后")


async def published_refund(kb: KnowledgeBase) -> int:
    entry = await kb.create(REFUND, EDITOR)
    await kb.submit(entry.id, EDITOR)
    await kb.approve(entry.id, REVIEWER, "可以")
    return entry.id


async def test_an_editor_drafts_a_reviewer_approves_and_the_robot_sees_it(
    kb: KnowledgeBase,
) -> None:
    entry = await kb.create(REFUND, EDITOR)
    assert (entry.status, entry.version, entry.live_version) == (DRAFT, 1, None)
    assert (await kb.snapshot()).entries == ()
    entry = await kb.submit(entry.id, EDITOR)
    assert entry.status == IN_REVIEW
    assert await kb.revision() == 0
    entry = await kb.approve(entry.id, REVIEWER, "可以")
    assert (entry.status, entry.version, entry.live_version) == (PUBLISHED, 3, 3)
    assert entry.review_comment == "可以"
    snapshot = await kb.snapshot()
    assert snapshot.revision == 1 == await kb.revision()
    [live] = snapshot.entries
    assert (live.question, live.similar, live.answer) == (
        REFUND.question,
        REFUND.similar,
        REFUND.answer,
    )


async def test_an_editor_cannot_publish_and_an_agent_cannot_edit(kb: KnowledgeBase) -> None:
    entry = await kb.create(REFUND, EDITOR)
    for call in (kb.publish(entry.id, EDITOR), kb.approve(entry.id, EDITOR)):
        with pytest.raises(Forbidden) as error:
            await call
        assert error.value.status == 403
    for call in (
        kb.create(EntryDraft("问", "答"), AGENT),
        kb.update(entry.id, REFUND, AGENT),
        kb.submit(entry.id, AGENT),
        kb.archive(entry.id, AGENT),
        kb.create(EntryDraft("问", "答"), REVIEWER),
    ):
        with pytest.raises(Forbidden):
            await call
    assert (await kb.get(entry.id)).version == 1
    assert await kb.revision() == 0


async def test_an_editor_changes_only_their_own_draft(kb: KnowledgeBase) -> None:
    entry = await kb.create(REFUND, EDITOR)
    with pytest.raises(Forbidden):
        await kb.update(entry.id, REFUND, OTHER_EDITOR)
    with pytest.raises(Forbidden):
        await kb.submit(entry.id, OTHER_EDITOR)
    with pytest.raises(Forbidden):
        await kb.archive(entry.id, OTHER_EDITOR)
    archived = await kb.archive(entry.id, EDITOR)
    assert archived.status == ARCHIVED


async def test_a_reject_sends_the_entry_back_with_the_reviewers_comment(kb: KnowledgeBase) -> None:
    entry = await kb.create(REFUND, EDITOR)
    await kb.submit(entry.id, EDITOR)
    with pytest.raises(InvalidEntry):
        await kb.reject(entry.id, REVIEWER, "  ")
    entry = await kb.reject(entry.id, REVIEWER, "答案里要写退款时效")
    assert (entry.status, entry.review_comment) == (DRAFT, "答案里要写退款时效")
    with pytest.raises(Conflict):
        await kb.approve(entry.id, REVIEWER)
    fixed = EntryDraft(REFUND.question, "在订单页点「退款」，1-3 个工作日到账。", REFUND.similar)
    entry = await kb.update(entry.id, fixed, EDITOR, expected_version=entry.version)
    await kb.submit(entry.id, EDITOR)
    entry = await kb.approve(entry.id, REVIEWER)
    assert (await kb.snapshot()).entries[0].answer == fixed.answer


async def test_editing_a_published_entry_keeps_the_live_answer_until_the_change_is_approved(
    kb: KnowledgeBase,
) -> None:
    entry_id = await published_refund(kb)
    changed = EntryDraft(REFUND.question, "新答案", REFUND.similar, "售后")
    entry = await kb.update(entry_id, changed, OTHER_EDITOR, expected_version=3)
    assert (entry.status, entry.version, entry.live_version) == (DRAFT, 4, 3)
    assert (await kb.snapshot()).entries[0].answer == REFUND.answer
    assert await kb.revision() == 1
    await kb.submit(entry_id, OTHER_EDITOR)
    await kb.approve(entry_id, SUPERVISOR)
    assert (await kb.snapshot()).entries[0].answer == "新答案"
    assert await kb.revision() == 2


async def test_a_stale_version_is_a_409_and_changes_nothing(kb: KnowledgeBase) -> None:
    entry = await kb.create(REFUND, EDITOR)
    await kb.update(entry.id, EntryDraft("怎么退款？", "答案二"), EDITOR, expected_version=1)
    with pytest.raises(VersionConflict) as error:
        await kb.update(entry.id, EntryDraft("怎么退款？", "答案三"), EDITOR, expected_version=1)
    assert error.value.status == 409
    assert (await kb.get(entry.id)).answer == "答案二"
    with pytest.raises(VersionConflict):
        await kb.submit(entry.id, EDITOR, expected_version=1)


async def test_every_change_is_in_the_history_with_who_and_what(kb: KnowledgeBase) -> None:
    entry_id = await published_refund(kb)
    await kb.archive(entry_id, REVIEWER, comment="活动结束")
    history = await kb.history(entry_id)
    assert [(h.version, h.action, h.actor, h.role) for h in history] == [
        (1, "create", "小王", "editor"),
        (2, "submit", "小王", "editor"),
        (3, "approve", "老李", "reviewer"),
        (4, "archive", "老李", "reviewer"),
    ]
    assert history[2].comment == "可以" and history[3].comment == "活动结束"
    assert history[0].snapshot["answer"] == REFUND.answer
    assert history[3].snapshot["status"] == ARCHIVED
    assert all(h.at.isoformat() == "2024-06-04T02:00:00+00:00" for h in history)


async def test_archiving_takes_the_entry_off_the_robot_and_bumps_the_revision(
    kb: KnowledgeBase,
) -> None:
    entry_id = await published_refund(kb)
    with pytest.raises(Forbidden):
        await kb.archive(entry_id, EDITOR)  # a live entry: not an editor's to archive
    await kb.archive(entry_id, REVIEWER)
    assert (await kb.snapshot()).entries == ()
    assert await kb.revision() == 2
    await kb.archive(entry_id, REVIEWER)  # twice changes nothing
    assert await kb.revision() == 2
    restored = await kb.publish(entry_id, SUPERVISOR)
    assert restored.status == PUBLISHED and await kb.revision() == 3


async def test_a_question_belongs_to_one_active_entry(kb: KnowledgeBase) -> None:
    first = await kb.create(REFUND, EDITOR)
    with pytest.raises(Conflict) as error:
        await kb.create(EntryDraft("如何 退款", "别的答案"), OTHER_EDITOR)
    assert error.value.code == "duplicate_question"
    with pytest.raises(Conflict):
        await kb.create(EntryDraft("退款", "答", ("怎么退款",)), OTHER_EDITOR)
    await kb.archive(first.id, EDITOR)
    assert (await kb.create(EntryDraft("如何退款", "新答案"), OTHER_EDITOR)).id == first.id + 1


async def test_validity_dates_decide_what_the_snapshot_holds(kb: KnowledgeBase) -> None:
    draft = EntryDraft(
        "618 活动规则", "满减", valid_from=date(2024, 6, 1), valid_to=date(2024, 6, 18)
    )
    entry = await kb.create(draft, SUPERVISOR)
    await kb.publish(entry.id, SUPERVISOR)
    assert len((await kb.snapshot()).entries) == 1  # today is 2024-06-04 in Shanghai
    assert (await kb.snapshot(on=date(2024, 6, 19))).entries == ()


async def test_listing_searches_questions_similar_questions_and_answers(kb: KnowledgeBase) -> None:
    await published_refund(kb)
    await kb.create(EntryDraft("发票怎么开", "个人中心开票", (), "财务"), EDITOR)
    await kb.create(EntryDraft("100%_退款吗", "不一定", (), "售后"), EDITOR)
    assert [e.question for e in (await kb.list("退款流程")).items] == [REFUND.question]
    assert (await kb.list("开票")).items[0].question == "发票怎么开"
    assert [e.question for e in (await kb.list("%_")).items] == ["100%_退款吗"]
    assert (await kb.list(category="售后")).total == 2
    assert (await kb.list(status=PUBLISHED)).total == 1
    page = await kb.list(per_page=2, page=2)
    assert (page.total, len(page.items)) == (3, 1)
    with pytest.raises(NotFound):
        await kb.get(999)


async def test_stats_count_statuses_categories_and_the_revision(kb: KnowledgeBase) -> None:
    await published_refund(kb)
    await kb.create(EntryDraft("发票怎么开", "个人中心开票", (), "财务"), EDITOR)
    stats = await kb.stats()
    assert (stats.revision, stats.total, stats.live) == (1, 2, 1)
    assert stats.by_status == {DRAFT: 1, IN_REVIEW: 0, PUBLISHED: 1, ARCHIVED: 0}
    assert stats.by_category == {"售后": 1, "财务": 1}
