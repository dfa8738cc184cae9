"""What a customer waiting in the queue asks for: to leave it, or how long it still takes.

While a handoff waits for an agent every customer message is relayed to the desk. Two
kinds of message need an answer from the bot meanwhile:

* **Leaving** ("算了不等了", the 取消排队 button): the customer used to stay in the queue
  until an agent found an empty conversation. Now the episode is closed as ``user_left``
  and the bot takes the conversation back. Leaving loses the customer's place, so only a
  short message that says so plainly counts: a question ("不等了的话能退款吗?") or a long
  message that merely contains the words goes to the agent as before.
* **Asking about the wait** ("还要等多久", "怎么还没人理我", "有人吗"): the customer hears
  their current place in line and the expected wait instead of a bare "请稍候".
"""

from __future__ import annotations

import re

from zhike.common.confirmations import normalize_text, symbols_removed

# Words that say "I no longer want to wait / want a person".
_LEAVE = re.compile(
    r"取消排队|退出排队|不排了|不排队了|不想排了|"
    r"不等了|不想等了|不用等了|不再等了|别等了|"
    r"(?:不要|不用|不需要|不找|不转|不用转|不需要转|取消转?)人工"
)
# A question about leaving is a question for the agent, not a decision.
_QUESTION = re.compile(r"[?？]|吗|能不能|可不可以|可以|怎么|如何|是不是|会不会")
# "How much longer?" while waiting.
_WAIT = re.compile(
    r"(?:还要|要|得|需要)?等多久|还要多久|还得多久|多久(?:才|能)(?:有人|轮到|接)|"
    r"怎么还没(?:有)?人|还没(?:有)?人(?:理|回|接|管)|没人(?:理|回|接|管)|"
    r"有(?:没有)?人(?:吗|在吗|嘛)|人呢|"
    r"排到(?:我)?(?:了)?(?:吗|没)|轮到我(?:了)?(?:吗|没)|前面还有几|排第几|到我了(?:吗|没)"
)
MAX_CHARS = 16


def wants_to_leave_queue(text: str | None) -> bool:
    """Whether ``text`` (a waiting customer's message) plainly asks to leave the queue.

    Args:
        text: the message as the customer typed it, or a button's text payload.

    Returns:
        True for a short statement with a leave phrase ("算了，不等了", "取消排队",
        "不用人工了谢谢"); False for questions, long messages and anything else.
    """
    compact = _compact(text)
    if not compact or len(compact) > MAX_CHARS:
        return False
    return bool(_LEAVE.search(compact)) and not _QUESTION.search(compact)


def asks_about_the_wait(text: str | None) -> bool:
    """Whether a waiting customer's message asks how long it still takes ("还要等多久")."""
    compact = _compact(text)
    return bool(compact) and len(compact) <= MAX_CHARS * 2 and bool(_WAIT.search(compact))


def _compact(text: str | None) -> str:
    """The words of ``text`` without spaces and punctuation (question marks kept)."""
    return symbols_removed(normalize_text(text), keep="?？")
