"""A customer urging the matter at hand: "能不能快点 我急用", "怎么这么慢啊 都一个礼拜了".

Alone, such a message names nothing; the NLU, trained on customers who chase parcels,
reads it as a parcel query. In a conversation it is about what the robot is doing or has
just shown: asked which order, the customer is impatient, not asking something else (the
form asks again, kindly); right after a refund's progress it chases that refund, not the
parcel. :func:`urges_only` tells such a message from one that names a matter of its own
("快点发货", "退款怎么还没到账"), which is a request like any other.
"""

from __future__ import annotations

import re

# "能不能快点" / "帮我催一下" / "急用": the customer wants it sooner.
URGES = re.compile(r"快点|快一点|快些|催|尽快|加急|急用|急需|着急|急着|赶紧|加快|早点")
# "怎么这么慢" / "都一个礼拜了" / "等了好几天": the customer finds it slow.
SLOW = re.compile(
    r"(?:这么|太|好|真|很|也太)慢|慢死|慢吞吞|磨蹭|拖了|拖这么久|这么久"
    r"|等了.{0,4}(?:天|礼拜|星期|周|月)|都.{0,4}(?:礼拜|星期|周|天|月)了"
)
# "都三天没动了", "物流一直不更新": the parcel shown is stuck (only about a parcel: at a
# repair's question "开机没动静" is the fault, at a refund's "物流不更新" the reason).
STUCK = re.compile(r"没(?:动静|动|更新)|不更新|卡住了")
# The parcel, named: "快点 我的快递呢" chases it, not a refund shown just before.
PARCEL_WORDS = r"快递|物流|包裹|发货|发出|送货|配送|派送|运单|签收"
PARCEL = re.compile(PARCEL_WORDS)
# Words of a matter of its own: the urge is about that, a request like any other.
MATTER = re.compile(
    PARCEL_WORDS + r"|单号|退款|退钱|退货|到账|发票|课|老师"
    r"|师傅|上门|安装|维修|换货|地址|取消|人工|客服|投诉|工单|价保|\d{3,}|hp\d",
    re.I,
)
MAX_LENGTH = 24
# What an urge says besides urging: "能不能快点 我急用", "麻烦帮我催一下".
FILLER = re.compile(
    r"能不能|能否|可不可以|可以|请|麻烦|帮我|帮忙|给我|一下|一点|你们|我|你|怎么|咋|到底|真的|已经"
    r"|[了吧呢啊呀哈嘛吗么都还的呐哇]|[\s,，。.!！?？~～、…]"
)
REST = 2  # characters left beyond urging and filler: "用起来太慢了" is a reason, not an urge


def urges(text: str) -> bool:
    """Whether ``text`` urges or finds it slow ("能不能快点", "怎么这么慢")."""
    return bool(URGES.search(text) or SLOW.search(text))


def without_urges(text: str) -> str:
    """``text`` with its urging words taken out: "确认 快点" -> "确认 "."""
    return SLOW.sub("", URGES.sub("", text))


def urges_only(text: str) -> bool:
    """Whether ``text`` is a short urge that names no matter of its own.

    True for "能不能快点 我急用" and "怎么这么慢啊 都一个礼拜了"; False for "快点发货",
    "退款怎么还没到账" (they name what they chase), for a message that says more
    ("买来急用的 结果坏了", "用起来太慢了": a refund's reason) and for a long one.
    """
    text = text.strip()
    if len(text) > MAX_LENGTH or not urges(text) or MATTER.search(text):
        return False
    rest = FILLER.sub("", without_urges(text))
    return len(rest) <= REST
