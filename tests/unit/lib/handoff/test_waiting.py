"""Which waiting customers' messages leave the queue, and which ask how long it takes."""

from __future__ import annotations

import pytest

from zhike.lib.handoff.waiting import asks_about_the_wait, wants_to_leave_queue


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


@pytest.mark.parametrize(
    "text", ["还要等多久啊", "怎么还没人理我", "有人吗？？", "人呢", "排到我了吗", "前面还有几个人"]
)
def test_asking_how_long_it_still_takes(text: str) -> None:
    assert asks_about_the_wait(text) and not wants_to_leave_queue(text)


@pytest.mark.parametrize("text", ["我的快递三天没动了", "好的谢谢", "退款多久到账", ""])
def test_other_messages_are_no_wait_question(text: str) -> None:
    assert not asks_about_the_wait(text)
