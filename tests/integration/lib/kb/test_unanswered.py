"""The unanswered queue: near-duplicates grouped, turned into entries, and coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.lib.kb.conftest import AGENT, EDITOR, SUPERVISOR, T0
from zhike.lib.kb.domain import DRAFT, PUBLISHED, EntryDraft
from zhike.lib.kb.errors import Conflict, Forbidden, InvalidEntry
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.unanswered import UnansweredQueue, similarity

pytestmark = pytest.mark.integration

INVOICE_WAYS = [
    "发票怎么开",
    "发票怎么开？",
    "请问发票怎么开啊",
    "我想问下电子发票怎么开",
    "发票 怎么开",
]


def test_similarity_groups_rewordings_but_not_different_questions() -> None:
    assert similarity("发票怎么开", "请问发票怎么开啊") >= 0.6
    assert similarity("发票怎么开", "退款多久到账") < 0.3
    assert similarity("退款", "退货") < 0.6


async def test_ways_of_asking_one_thing_are_one_group_sorted_by_frequency(
    kb: KnowledgeBase,
) -> None:
    queue = UnansweredQueue(kb)
    for n, text in enumerate(INVOICE_WAYS):
        await queue.record(text, "fallback", "web", at=T0 + timedelta(minutes=n))
    await queue.record("你们周末上班吗", "rejected", "wechat", at=T0)
    await queue.record("你们周末上班吗", "fallback", "web", at=T0)
    assert await queue.record("  ？？ ", "fallback") is None
    groups = await queue.groups()
    assert [(g.text, g.count) for g in groups] == [("发票怎么开", 5), ("你们周末上班吗", 2)]
    assert groups[0].examples[0] == "发票怎么开" and len(groups[0].examples) == 5
    assert groups[1].reasons == {"rejected": 1, "fallback": 1}
    recent = await queue.groups(since=T0 + timedelta(minutes=3))
    assert [(g.text, g.count) for g in recent] == [("发票怎么开", 2)]


async def test_recorded_questions_are_masked(kb: KnowledgeBase) -> None:
    queue = UnansweredQueue(kb)
    await queue.record("我的手机13800138000收不到验证码", "fallback")
    [group] = await queue.groups()
    assert "13800138000" not in group.text and "138****8000" in group.text
    with pytest.raises(InvalidEntry):
        await queue.record("问题", "bored")


async def test_a_group_becomes_a_new_entry_in_one_action(kb: KnowledgeBase) -> None:
    queue = UnansweredQueue(kb)
    for text in INVOICE_WAYS:
        await queue.record(text, "fallback")
    [group] = await queue.groups()
    draft = EntryDraft("发票怎么开", "在「我的-订单」里申请电子发票。", ("怎么开发票",))
    with pytest.raises(Forbidden):
        await queue.resolve_to_new_entry(group.id, draft, AGENT)
    entry = await queue.resolve_to_new_entry(group.id, draft, SUPERVISOR, publish=True)
    assert entry.status == PUBLISHED and await kb.revision() == 1
    assert await queue.groups() == ()
    [resolved] = await queue.groups(state="resolved")
    assert resolved.entry_id == entry.id
    with pytest.raises(Conflict):
        await queue.dismiss(group.id, SUPERVISOR)


async def test_a_group_is_added_to_an_entry_as_similar_questions(kb: KnowledgeBase) -> None:
    queue = UnansweredQueue(kb)
    entry = await kb.create(EntryDraft("怎么开发票", "在订单里申请。"), SUPERVISOR)
    entry = await kb.publish(entry.id, SUPERVISOR)
    for text in [*INVOICE_WAYS, "发票怎么开"]:
        await queue.record(text, "fallback")
    [group] = await queue.groups()
    changed = await queue.add_as_similar(group.id, entry.id, EDITOR)
    # Rewordings differing only in punctuation or spaces are one similar question.
    assert changed.similar == ("发票怎么开", "请问发票怎么开啊", "我想问下电子发票怎么开")
    assert (changed.status, changed.live_version) == (DRAFT, entry.version)
    assert (await kb.snapshot()).entries[0].similar == ()  # live once reviewed


async def test_a_dismissed_group_leaves_the_queue(kb: KnowledgeBase) -> None:
    queue = UnansweredQueue(kb)
    group_id = await queue.record("哈哈哈哈", "fallback")
    assert group_id is not None
    with pytest.raises(Forbidden):
        await queue.dismiss(group_id, AGENT)
    await queue.dismiss(group_id, EDITOR)
    assert await queue.groups() == ()
    assert await queue.record("哈哈哈哈", "fallback") != group_id  # a new group


async def test_coverage_is_the_share_answered_without_fallback_or_handoff(
    kb: KnowledgeBase,
) -> None:
    queue = UnansweredQueue(kb)
    for _ in range(8):
        await queue.record_answer(1, "web", at=T0)
    await queue.record("刚才的回答没用，转人工", "handoff", at=T0)
    await queue.record("发票怎么开", "fallback", at=T0)
    await queue.record("周末上班吗", "rejected", at=T0)
    await queue.record_answer(1, "web", at=T0 + timedelta(days=2))
    coverage = await queue.coverage(T0 - timedelta(hours=1), T0 + timedelta(days=1))
    assert (coverage.questions, coverage.answered, coverage.covered) == (10, 8, 7)
    assert coverage.rate == pytest.approx(0.7)
    empty = await queue.coverage(T0 + timedelta(days=5), T0 + timedelta(days=6))
    assert empty.rate is None
