"""Whether a waiting customer's message asks to leave the queue ("不等了", "取消排队").

While a handoff waits for an agent every customer message is relayed to the desk, so a
customer who gives up ("算了不等了") used to stay in the queue until an agent found an
empty conversation. Such a message now leaves the queue: the episode is closed as
``user_left`` and the bot takes the conversation back. Leaving loses the customer's
place, so only a short message that says so plainly counts: a question ("不等了的话能退款
吗?") or a long message that merely contains the words goes to the agent as before.
"""

from __future__ import annotations

import re

USER_LEFT = "user_left"  # the disposition of an episode the customer left while queued

# Words that say "I no longer want to wait / want a person".
_LEAVE = re.compile(
    r"取消排队|退出排队|不排了|不排队了|不想排了|"
    r"不等了|不想等了|不用等了|不再等了|别等了|"
    r"(?:不要|不用|不需要|不找|不转|不用转|不需要转|取消转?)人工"
)
# A question about leaving is a question for the agent, not a decision.
_QUESTION = re.compile(r"[?？]|吗|能不能|可不可以|可以|怎么|如何|是不是|会不会")
_NOISE = re.compile(r"[\s,，.。!！~～…、]+")
MAX_CHARS = 16


def wants_to_leave_queue(text: str | None) -> bool:
    """Whether ``text`` (a waiting customer's message) plainly asks to leave the queue.

    Args:
        text: the message as the customer typed it, or a button's text payload.

    Returns:
        True for a short statement with a leave phrase ("算了，不等了", "取消排队",
        "不用人工了谢谢"); False for questions, long messages and anything else.
    """
    compact = _NOISE.sub("", text or "")
    if not compact or len(compact) > MAX_CHARS:
        return False
    return bool(_LEAVE.search(compact)) and not _QUESTION.search(compact)
