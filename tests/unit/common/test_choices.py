"""A typed pick among buttons: by place ("2", "第三个", "最后一个") or by title."""

from __future__ import annotations

import pytest

from zhike.common.choices import (
    chosen_button,
    named_button,
    naming_core,
    parse_ordinal,
    several_named,
)

ORDERS = [
    {"title": "HP20240003 纸尿裤（已付款，等待发货）", "payload": "HP20240003"},
    {"title": "HP20240001 手机（已发货，正在运输中）", "payload": "HP20240001"},
    {"title": "HP20240002 复印纸（已签收）", "payload": "HP20240002"},
]
TOPICS = [
    {"title": "查询物流进度", "payload": "/query_logistics"},
    {"title": "查看我的订单", "payload": "/list_orders"},
    {"title": "都不是", "payload": "/out_of_scope"},
]


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("第三个", "HP20240002"),
        ("3", "HP20240002"),
        ("选第2个吧", "HP20240001"),
        ("最后一个", "HP20240002"),
        ("①", "HP20240003"),
    ],
)
def test_a_place_picks_that_button(typed: str, payload: str) -> None:
    assert (chosen_button(typed, ORDERS) or {}).get("payload") == payload


def test_a_typed_title_picks_its_button_whatever_the_punctuation() -> None:
    assert (chosen_button("查看我的订单！", TOPICS) or {}).get("payload") == "/list_orders"
    assert (chosen_button("都不是", TOPICS) or {}).get("payload") == "/out_of_scope"


@pytest.mark.parametrize("typed", ["第四个", "4", "二", "我要退款", "", "HP20240001到哪了"])
def test_anything_else_picks_nothing(typed: str) -> None:
    assert chosen_button(typed, ORDERS) is None


def test_no_buttons_no_pick() -> None:
    assert chosen_button("1", []) is None
    assert parse_ordinal("1", 0) is None


def test_a_short_reply_pointing_at_one_title_names_it() -> None:
    courses = [
        {"title": "张小明 初二数学（秋季班）", "payload": "C-MATH"},
        {"title": "张小明 英语阅读提高班", "payload": "C-ENG"},
    ]
    assert named_button("数学那个", courses) == courses[0]
    assert named_button("就是英语那门吧", courses) == courses[1]
    assert named_button("张小明", courses) is None  # in both titles
    shoes = [
        {"title": "HP20241301 安踏 男子跑步鞋 黑色 42 码（已签收）", "payload": "HP20241301"},
        {"title": "HP20241302 安踏 男子跑步鞋 黑色 43 码（已签收）", "payload": "HP20241302"},
    ]
    assert named_button("42码那双", shoes) == shoes[0]  # was 「订单号格式好像不太对」
    assert named_button("黑色那双", shoes) is None  # both are black


def test_an_order_named_by_its_state_as_its_title_shows_it() -> None:
    conditioners = [
        {"title": "HP20241204 格力空调（已付款，等待发货）", "payload": "HP20241204"},
        {"title": "HP20241406 格力空调（已发货，正在运输中）", "payload": "HP20241406"},
        {"title": "HP20241401 格力空调（已签收）", "payload": "HP20241401"},
    ]
    assert named_button("已经到的那个", conditioners) == conditioners[2]
    assert named_button("还没发货的", conditioners) == conditioners[0]
    assert named_button("在路上那个", conditioners) == conditioners[1]
    assert named_button("到了吗", conditioners) is None  # a question
    delivered = [conditioners[2], {**conditioners[2], "payload": "HP20241405"}]
    assert named_button("收到的那个", delivered) is None  # two delivered: asked which


def test_a_reply_naming_several_titles_is_asked_which() -> None:
    lessons = [
        {"title": "张小明 初二数学（秋季班） 12月8日（周二）19:00", "payload": "L1"},
        {"title": "张小明 英语阅读提高班 12月10日（周四）10:00", "payload": "L2"},
        {"title": "张小明 英语阅读提高班 12月17日（周四）10:00", "payload": "L3"},
    ]
    assert several_named("对 就是阅读那个", lessons) == "阅读"
    assert several_named("数学那个", lessons) is None  # one title: that one
    assert several_named("阅读课能请假吗", lessons) is None  # a question names nothing
    orders = [{"title": "HP20241301 跑步鞋 42 码"}, {"title": "HP20241302 跑步鞋 43 码"}]
    assert several_named("41", orders) is None  # a size, though both numbers have 41


@pytest.mark.parametrize(
    ("text", "core"),
    [
        ("是那个破壁机的", "破壁机"),
        ("就那个红米的", "红米"),
        ("那门英语吧", "英语"),
        ("个人", "个人"),  # a title, not 个 + 人
        ("那个能退吗", None),  # a question names nothing
        ("这个", None),
    ],
)
def test_the_words_a_short_reply_names_something_by(text: str, core: str | None) -> None:
    assert naming_core(text) == core
