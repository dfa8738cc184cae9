"""Whether a message asks something: the words of a question, or a question mark.

Shared by the actions (a question is no reason, address or answer to a form) and the NLU
(:mod:`zhike.nlu.form_reply`: a reply that asks is no answer to the interrupted form).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

QUESTION = re.compile(
    r"[?？]|吗|呢|多久|多少|几天|什么|啥|咋|怎么|怎样|如何|哪|是否|有没有|能不能|可不可以"
    r"|行不行|进度|状态|到了没|发货没|了没|问下|问一下|想问|请问"
    # "后天能送到不", "这个能退不": a question with a closing 不 after a modal
    r"|(?:能|会|可以|可|要|有)[^，,。!！\s]{0,8}不\s*[?？~～。!！]*$"
)


def asks_question(value: Any) -> bool:
    """Whether a message asks something ("顺便问下发票怎么开", "几天能到？")."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return bool(QUESTION.search(text))
