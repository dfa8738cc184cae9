"""Which waiting customers' messages leave the queue."""

from __future__ import annotations

import pytest

from zhike.lib.handoff.leaving import wants_to_leave_queue


@pytest.mark.parametrize(
    "text",
    [
        "取消排队",  # the button's payload
        "算了，不等了",
        "不等了！",
        "那我不想等了",
        "不用人工了 谢谢",
        "算了不要人工了我自己看看吧",
        "不排了",
        "取消转人工",
    ],
)
def test_a_plain_wish_to_stop_waiting_leaves(text: str) -> None:
    assert wants_to_leave_queue(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "还要等多久",
        "我等着呢，快点",  # still waiting
        "不等了的话能退款吗",  # a question for the agent
        "不用人工可以自己改地址吗？",
        # a long message: the agent reads it
        "我已经等了半个小时了，你们到底有没有人，不等了我要投诉你们平台的服务",
        "HP20240001 还没发货",
        None,
    ],
)
def test_anything_else_waits_for_the_agent(text: str | None) -> None:
    assert not wants_to_leave_queue(text)
