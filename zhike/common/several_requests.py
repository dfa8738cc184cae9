"""Which request of a message the customer is still owed after picking one.

"空调啥时候到 还有能不能开个发票" was too unclear for the NLU as a whole; a clause of it is
in the words of a request (the parse key :data:`~zhike.common.topic_names.CLAUSES_KEY`:
the parcel), and "您是想咨询…" offered it beside the models' reading (the invoice). The
customer picks the invoice; once it is done, the parcel is offered as a second request
said in one message is (``actions/also_asked.py``). Shared by the policy that decides
when (``zhike/dialogue/also_asked_policy.py``) and the action that offers it. Pure
functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zhike.common.topic_names import BUSINESS_INTENTS, CLAUSES_KEY, FALLBACK_ACTIONS


def left_after_pick(clauses: Any, picked: str | None) -> dict[str, Any] | None:
    """The first request of ``clauses`` other than ``picked``: ``{"intent", "text"}``.

    ``picked`` is what the customer chose, the clauses' own request or the models' other
    reading ("能不能开个发票" is a question the frames leave to the models); ``None``
    unless it is a request to act: "都不是" asked for nothing.
    """
    if not isinstance(clauses, list) or picked not in BUSINESS_INTENTS:
        return None
    said = (c for c in clauses if isinstance(c, dict) and c.get("intent"))
    return next((dict(c) for c in said if c["intent"] != picked), None)


# One event as the walk below reads it: its kind ("user", "action", "restart" …), the
# action's name, the customer's text and the message's parse result.
Step = tuple[str, str, str, dict[str, Any]]
_ENDS = frozenset({"restart", "session_started"})


def owed_after_pick(
    before: Iterable[Step], pick_text: str, picked: str | None
) -> dict[str, Any] | None:
    """The request still owed when the customer's message ``pick_text`` was a pick.

    ``before`` are the events before that message, newest first. It was a pick when the
    message before it (the two-stage fallback's own copy of the pick skipped) recorded
    its clauses' requests and a fallback action asked about it in between.
    """
    asked = False
    for kind, name, text, parse in before:
        if kind == "action":
            asked = asked or name in FALLBACK_ACTIONS
        elif kind == "user":
            if text == pick_text:  # the pick as first sent, before the fallback took it back
                asked = False
                continue
            return left_after_pick(parse.get(CLAUSES_KEY), picked) if asked else None
        elif kind in _ENDS:
            return None
    return None
