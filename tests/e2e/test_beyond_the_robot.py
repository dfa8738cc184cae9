"""What the robot does not serve is owned up to, with a person one click away.

A message about a topic of zhike/nlu/frames.yml's ``beyond`` section (sending a parcel,
a seller's back office, a service plan …) used to be taken for the nearest request DIET
knew ("我想问一下怎么用你们的京东发快递" looked up the parcel's tracking). Through the
real stack the customer now hears that the robot cannot do it and gets 转人工客服.
"""

from __future__ import annotations

import pytest

from zhike.nlu.frames import Frames
from zhike.tools.stack import Stack

from .conftest import Conversation

pytestmark = pytest.mark.e2e

FRAMES = Frames.load()


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("请问怎么用你们京东寄快递啊", "寄快递"),
        ("碎屏险买了以后屏幕裂了能免费换吗", "保障服务"),
        ("客户说东西没收到 你们帮我查下", "商家和店铺"),
    ],
)
def test_a_topic_the_robot_does_not_serve_is_owned_up_to(
    fresh: Stack, said: str, named: str
) -> None:
    topic = FRAMES.beyond_topic(said)
    assert topic is not None and FRAMES.fitting(said) == []
    chat = Conversation(fresh.config.rasa_url)
    replies = chat.send(said)
    text = "\n".join(r.get("text", "") for r in replies)
    assert named in text and "办理不了" in text
    assert "物流" not in text and "订单号" not in text  # no request started
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payloads == ["/human_handoff", "/out_of_scope"]


def test_the_person_offered_is_one_click_away(fresh: Stack) -> None:
    chat = Conversation(fresh.config.rasa_url)
    assert "办理不了" in chat.say("你好 我想寄个快递到上海 怎么寄")
    assert "人工客服" in chat.say("/human_handoff")  # queued, or a ticket when all are busy
