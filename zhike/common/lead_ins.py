"""The lead-in before a new matter: "好的谢谢 对了 能开发票吗" asks "能开发票吗".

Customers close one matter and open the next in one message: a thanks or an okay, then
"对了", "另外", "还有个问题", then the question. Read whole, the thanks pulled DIET towards
small talk and the question came out unsure: asked which order for a refund, "好的谢谢 对了
能开发票吗" got "直接点选下面的订单". The lead-in says only that something new follows, so
the tokenizer leaves it out of the features (:mod:`zhike.nlu.tokenizer`), as it does the
fields of a pasted order card, and the knowledge base is asked the new matter alone
(:mod:`zhike.nlu.knowledge_gate`, ``action_answer_knowledge``). The transcript keeps what
was typed.
"""

from __future__ import annotations

import re

_PAUSE = r"[\s,，。.!！~～:：、]*"
# What closes the matter before: okay, thanks, understood.
_CLOSING = (
    r"(?:好的?|好滴|嗯+|恩+|哦+|噢|行|ok|okay|可以|没问题|收到|知道了|明白了?|了解了?"
    r"|谢谢(?:你|您|啦)?|多谢|感谢)"
)
# What opens the next: "还有" only as a word of its own ("还有吗" asks for more, no lead-in),
# "对了" not as a yes ("对了 就是这个").
_OPENING = (
    rf"(?:对了(?!{_PAUSE}[就是对没])|另外|顺便(?:问|说)一?下|再问一?下|还想问一?下|我还想问一?下"
    r"|还有(?:个|一个)?(?:问题|事)?(?=[\s,，。:：!！~～]))"
)
_LEAD_IN = re.compile(rf"{_PAUSE}(?:{_CLOSING}{_PAUSE})*{_OPENING}(?:啊|呀|哈)?{_PAUSE}", re.I)
# The new matter must say something: "好的 对了" alone has no lead-in, only words.
MIN_MATTER = 2


def lead_in_end(text: str) -> int:
    """Where the new matter starts after a lead-in at the start of ``text``, else 0."""
    match = _LEAD_IN.match(text)
    if match is None or len(text[match.end() :].strip()) < MIN_MATTER:
        return 0
    return match.end()


def new_matter(text: str) -> str:
    """``text`` without its lead-in ("好的谢谢 对了 能开发票吗" -> "能开发票吗")."""
    return text[lead_in_end(text) :]
