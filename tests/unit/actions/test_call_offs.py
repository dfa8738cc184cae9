"""A form's change called off or held while it asks something else, and what follows.

"那还是不退了吧" ends the refund; "那算了先不退了 我想问下保价" ends it and offers what
follows; "先别取消 帮我看看…" holds the change to ask first; "算了不改了 还是原来的吧" says
nothing more than the call-off."""

from __future__ import annotations

import pytest

from actions.typed_parsing import holds_then, says_more, says_stop, stop_then

from .test_typed_parsing import CANCEL_ORDER, REFUND


@pytest.mark.parametrize("text", ["那还是不退了吧", "算了不退款了", "别退了", "不办了"])
def test_calling_a_refund_off_while_its_reason_is_asked(text: str) -> None:
    assert says_stop(text, REFUND)


@pytest.mark.parametrize("text", ["不想要了", "质量不好", "不合适", "发错货了"])
def test_refund_reasons_with_a_no_in_them_are_not_calling_it_off(text: str) -> None:
    assert not says_stop(text, REFUND)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("那算了先不退了 我想问下保价", "我想问下保价"),
        ("算了不退款了，发票怎么开", "发票怎么开"),
        ("别退了另外帮我查下物流", "另外帮我查下物流"),
        ("那还是不退了吧", None),  # nothing follows: says_stop alone
        ("质量问题 不想要了", None),  # a reason first
        ("不想要了 质量不好", None),  # "不想要了" is a reason, not a call-off
        ("先别退 帮我看看HP20240003什么时候发货", None),  # waits, keeps the refund
    ],
)
def test_what_follows_a_call_off_said_first(text: str, rest: str | None) -> None:
    assert stop_then(text, REFUND) == rest


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("算了不改了 还是原来的吧", False),  # was: 「您接着想问的是…」 with unrelated requests
        ("算了不退了 还是不退了吧", False),
        ("不退了 不用了谢谢", False),
        ("那算了先不退了 我想问下保价", True),
        ("算了不退款了，发票怎么开", True),
    ],
)
def test_keeping_things_as_they_were_says_nothing_more(text: str, more: bool) -> None:
    rest = stop_then(text, ("改", "修改", *REFUND))
    assert rest and says_more(rest) is more


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("先别取消 帮我看看HP20240003什么时候发货", "帮我看看HP20240003什么时候发货"),
        ("等等 先不取消，运费退吗", None),  # "等等" first: no hold in the first clause
        ("算了不取消了 帮我查下物流", None),  # dropped, not held
        ("先别取消", None),  # nothing asked after it
    ],
)
def test_what_is_asked_after_holding_the_change(text: str, rest: str | None) -> None:
    assert holds_then(text, CANCEL_ORDER) == rest
