"""A short reply that proposes a time ("明天下午可以吗", "改到周六上午吧", "上午十点").

Read alone, such a reply is nothing the NLU knows: DIET took "上午十点" for a question
(the service hours, at 1.0). In a conversation it answers the question just asked (a
form's time, a topic that takes one), which :mod:`zhike.nlu.typed_choice` and
:mod:`zhike.nlu.form_reply` read with :func:`proposes_a_time`.
"""

from __future__ import annotations

import re

from zhike.common.times import china_now
from zhike.lib.chinese_time import parse_chinese_time

# Longer messages say more than a time.
MAX_TIMED_REPLY = 16
# What may stand around the time a reply proposes: "改到…", "…可以吗", "…行不行", "就…吧",
# "…以后都行".
_PROPOSES = re.compile(
    r"(?:那|就|改|换|约|调|到|在|成)*\s*(?:可以|行|方便|好|不|吧|吗|么|呢|啊|呀|嘛|的|"
    r"以后|之后|以前|之前|前|后|都|也|"
    r"[,，。.!！?？~～\s])*",
)


def proposes_a_time(text: object) -> bool:
    """Whether ``text`` is a short reply that names a time and proposes it, nothing more.

    "明天能到吗" asks about the parcel: a time, but not proposed (能到 is no proposal).
    """
    words = str(text or "").strip()
    if not words or len(words) > MAX_TIMED_REPLY:
        return False
    said = parse_chinese_time(words, china_now())
    return said is not None and bool(_PROPOSES.fullmatch(words.replace(said.text, " ", 1)))
