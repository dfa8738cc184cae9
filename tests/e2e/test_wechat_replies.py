"""A 公众号 follower answers the bot's numbered lines with a number, on the real stack.

WeChat shows no buttons: the bot's become numbered lines, and the follower replies "2"
or "5". The number goes to Rasa as typed and is read against the conversation itself
(``zhike.nlu.typed_choice``, the rating's own parsing), so whichever replica takes the
callback understands it; the rating's lines carry their score, so "5" is five points.
"""

from __future__ import annotations

import re
import uuid

import pytest

from zhike.tools.stack import Stack

from .conftest import last_code
from .wechat_users import FakeApiProcess, WeChatFollower

pytestmark = pytest.mark.e2e


def _bound_follower(stack: Stack, api: FakeApiProcess) -> WeChatFollower:
    """A new follower who bound 张伟's account (C001) by phone and one-time code."""
    follower = WeChatFollower(stack.config.rasa_url, api, f"oE2E{uuid.uuid4().hex[:20]}")
    follower.say("绑定账户")
    follower.say("13800138001")
    assert "验证成功" in follower.say(last_code(stack, "13800138001"))
    return follower


def test_a_follower_picks_an_order_and_rates_by_typing_numbers(
    fresh: Stack, wechat_api: FakeApiProcess
) -> None:
    follower = _bound_follower(fresh, wechat_api)
    listing = follower.say("我的订单列表")
    second = re.search(r"^回复 2：(HP\d{8})", listing, re.MULTILINE)
    assert second, listing
    picked = follower.say("2")
    assert f"您的订单 {second.group(1)}" in picked and "当前状态" in picked

    goodbye = follower.say("好的，没别的问题了，再见")
    assert "回复 5：😊 非常满意（5分）" in goodbye, goodbye
    assert "回复 1：😞 非常不满意（1分）" in goodbye
    assert "感谢您的评价" in follower.say("5")  # five points: no "what went wrong"


def test_a_low_score_typed_on_wechat_is_a_low_score(
    fresh: Stack, wechat_api: FakeApiProcess
) -> None:
    follower = WeChatFollower(fresh.config.rasa_url, wechat_api, f"oE2E{uuid.uuid4().hex[:20]}")
    follower.say("你们的退货政策是什么")
    assert "回复 1：😞 非常不满意（1分）" in follower.say("再见")
    assert "哪里需要改进" in follower.say("1")  # the first line of the list is 5 points
