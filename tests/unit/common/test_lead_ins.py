"""The lead-in before a new matter is set aside; a message of thanks or a yes is not."""

from __future__ import annotations

import pytest

from zhike.common.lead_ins import lead_in_end, new_matter


@pytest.mark.parametrize(
    ("text", "matter"),
    [
        ("好的谢谢 对了 能开发票吗", "能开发票吗"),
        ("嗯嗯，另外我想退款", "我想退款"),
        ("OK，顺便问一下 你们周末上班吗", "你们周末上班吗"),
        ("知道了 还有个问题：运费谁出", "运费谁出"),
        ("收到 还有 HP20240001到哪了", "HP20240001到哪了"),
        ("对了能开专票吗", "能开专票吗"),
    ],
)
def test_what_follows_the_lead_in_is_the_new_matter(text: str, matter: str) -> None:
    assert new_matter(text) == matter


@pytest.mark.parametrize(
    "text",
    [
        "好的谢谢",  # thanks alone: nothing new follows
        "好的 对了",
        "还有吗",  # asks for more
        "对了 就是这个订单",  # a yes, not a new matter
        "不对了 退款",
        "帮我查下HP20240001 对了 能开发票吗",  # a lead-in only at the start
        "我要退款",
    ],
)
def test_messages_without_a_lead_in_stay_whole(text: str) -> None:
    assert lead_in_end(text) == 0
    assert new_matter(text) == text
