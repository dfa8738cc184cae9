"""Entries as the robot and staff see them: validity, channel answers, cleaning, duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from zhike.lib.kb.domain import Button, EntryDraft, FrozenMap, PublishedEntry, question_key
from zhike.lib.kb.errors import InvalidEntry
from zhike.lib.kb.validation import check_draft, draft_from_mapping


def published(**kwargs: object) -> PublishedEntry:
    fields: dict = {
        "id": 1,
        "question": "怎么退款",
        "similar": (),
        "answer": "通用答案",
        "category": "",
    }
    fields.update(kwargs)
    return PublishedEntry(**fields)


def test_a_channel_gets_its_own_answer_and_others_the_common_one() -> None:
    entry = published(channel_answers=FrozenMap({"wechat": "微信里请点菜单"}))
    assert entry.answer_for("wechat") == "微信里请点菜单"
    assert entry.answer_for("web") == "通用答案"
    assert entry.answer_for(None) == "通用答案"


def test_validity_dates_are_inclusive() -> None:
    entry = published(valid_from=date(2024, 6, 1), valid_to=date(2024, 6, 30))
    assert not entry.is_valid(date(2024, 5, 31))
    assert entry.is_valid(date(2024, 6, 1)) and entry.is_valid(date(2024, 6, 30))
    assert not entry.is_valid(date(2024, 7, 1))
    assert published().is_valid(date(1999, 1, 1))


def test_questions_differing_in_width_case_space_or_punctuation_are_the_same() -> None:
    assert question_key("怎么退款？") == question_key("怎么 退款") == question_key("怎么退款?")
    assert question_key("ＶＩＰ会员") == question_key("vip会员")
    assert question_key("怎么退款") != question_key("怎么退货")


def test_a_draft_is_cleaned_and_repeated_similar_questions_dropped() -> None:
    draft = check_draft(
        EntryDraft(
            "  怎么退款？ ", " 点退款 ", ("怎么退款", "如何退款", "如何 退款！", " 退款流程 ")
        )
    )
    assert draft.question == "怎么退款？"
    assert draft.answer == "点退款"
    assert draft.similar == ("如何退款", "退款流程")


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (EntryDraft("", "答案"), "question"),
        (EntryDraft("？？", "答案"), "question"),
        (EntryDraft("问题", "  "), "answer"),
        (EntryDraft("问题", "答" * 5001), "answer"),
        (EntryDraft("问题", "答\x00案"), "answer"),
        (EntryDraft("问题", "答案", link="javascript:alert(1)"), "link"),
        (EntryDraft("问题", "答案", buttons=(Button("", "/x"),)), "buttons"),
        (EntryDraft("问题", "答案", channel_answers=FrozenMap({"微信": "x"})), "channel_answers"),
        (
            EntryDraft("问题", "答案", valid_from=date(2024, 2, 1), valid_to=date(2024, 1, 1)),
            "valid_from",
        ),
    ],
)
def test_a_bad_draft_is_refused_naming_the_field(draft: EntryDraft, field: str) -> None:
    with pytest.raises(InvalidEntry) as error:
        check_draft(draft)
    assert error.value.status == 400
    assert error.value.field == field


def test_drafts_from_loose_data_accept_numbers_dates_and_joined_similar_questions() -> None:
    draft, status = draft_from_mapping(
        {
            "question": 12306,
            "answer": "客服电话",
            "similar": "客服电话多少||怎么联系客服",
            "valid_to": "2024-12-31",
            "buttons": [{"title": "转人工", "payload": "/handoff"}],
            "status": "published",
        }
    )
    assert draft.question == "12306"
    assert draft.similar == ("客服电话多少", "怎么联系客服")
    assert draft.valid_to == date(2024, 12, 31)
    assert draft.buttons == (Button("转人工", "/handoff"),)
    assert status == "published"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question": "q"}, "answer"),
        ({"question": "q", "answer": "a", "colour": "red"}, "colour"),
        ({"question": "q", "answer": "a", "valid_from": "next week"}, "valid_from"),
        ({"question": "q", "answer": "a", "status": "live"}, "status"),
        ({"question": ["q"], "answer": "a"}, "question"),
    ],
)
def test_loose_data_with_a_bad_field_is_refused(data: dict, field: str) -> None:
    with pytest.raises(InvalidEntry) as error:
        draft_from_mapping(data)
    assert error.value.field == field


def test_entries_round_trip_through_json_ready_dicts() -> None:
    draft = EntryDraft("问", "答", ("问一下",), "售后", (Button("好", "/ok"),), "https://a.cn")
    data = draft.to_dict()
    assert draft_from_mapping(data)[0] == draft
