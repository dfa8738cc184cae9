"""Several requests in one message: "帮我查下HP20240001到哪了 另外HP20240002的发票开了没".

Customers put several things in one message. The NLU gives a message one intent, and the
rest was lost: the robot answered the invoice and never looked the parcel up. The message
is cut into clauses at the words that join requests ("另外", "还有", "顺便" …) and at the
end of a sentence; a clause in the words of one request (``zhike/nlu/frames.yml``) other
than the message's own is recorded in the parse result (:data:`ALSO_KEY`), and once the
first request is answered the customer is offered the second as a button. A message
whose clauses make two requests, which fit the whole message together, is taken as the
first one (:func:`first_of_several`): the customer's own order.

Only frames decide (no model reads a clause alone), only requests to act
(:data:`~zhike.common.topic_names.BUSINESS_INTENTS`), and only one: the first such clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zhike.common.topic_names import BUSINESS_INTENTS

# Where one request ends and another starts: a joining word, or the end of a sentence.
_JOINS = re.compile(
    r"(?:另外|还有|顺便|以及|同时|然后|再帮我|再帮忙|再问一?下|此外)[，,：:、\s]*|[。；;！!？?\n]+"
)
# A clause that calls a request off ("不用取消订单了"): nothing to offer.
_CALLED_OFF = re.compile(r"不用|别|先不|不需要|无需|算了|不(?:取消|退|换|改|开|要取消)")
# Intents whose message gets no second offer: the robot did not act on the first.
NOT_ANSWERED = frozenset({"nlu_fallback", "out_of_scope", "human_handoff"})
# Requests answered at once for an order, parcel or ticket named: no form beyond which one.
LOOKUPS = frozenset(
    {
        "query_order",
        "query_logistics",
        "query_refund",
        "query_invoice",
        "query_ticket",
        "query_visit",
        "query_exchange",
        "query_price_protection",
        "query_courier_contact",
    }
)
_NUMBERED = re.compile(r"[A-Za-z]{2}\d{6,}")


def clauses(text: str) -> list[str]:
    """``text`` cut at the words that join requests and at sentence ends (empty ones dropped)."""
    return [part.strip(" ，,、") for part in _JOINS.split(text) if part.strip(" ，,、")]


def also_asked(
    fitting: Callable[[str], list[str]], text: str, intent: str | None
) -> dict[str, Any] | None:
    """The other request ``text`` makes beside ``intent``: ``{"intent", "text"}``, or ``None``.

    A clause counts when it fits exactly one frame (``fitting``: the intents whose frames a
    text fits, :meth:`zhike.nlu.frames.Frames.fitting`), of a request other than ``intent``,
    and does not call it off ("不用取消订单了").
    A message of one clause, or about which the robot is unsure, makes no other request.
    """
    if not intent or intent in NOT_ANSWERED or text.startswith("/"):
        return None
    return other_than(requests_by_clause(fitting, text), intent)


def other_than(said: list[dict[str, str]], intent: str | None) -> dict[str, str] | None:
    """The first of the requests said (:func:`requests_by_clause`) other than ``intent``."""
    if not intent or intent in NOT_ANSWERED:
        return None
    return next((dict(part) for part in said if part["intent"] != intent), None)


def lookup_first(
    said: list[dict[str, str]], intent: str | None
) -> tuple[str, dict[str, str]] | None:
    """The lookup to answer first, and the change ``intent`` to offer after it.

    "HP20240001到哪了 顺便帮我开个发票" was the invoice's form first, and the parcel was
    offered only once the invoice was done: the quick answer the customer could have had
    at once waited for a form. When a clause looks up an order it names (one of
    :data:`LOOKUPS`) and another clause, naming no order, makes the change ``intent``,
    the lookup is answered first and the change offered after it
    (``(lookup intent, {"intent", "text"})``); else ``None``. ``said``: the message's
    requests by clause (:func:`requests_by_clause`).
    """
    if intent not in BUSINESS_INTENTS or intent in LOOKUPS:
        return None
    lookups = [c for c in said if c["intent"] in LOOKUPS and _NUMBERED.search(c["text"])]
    change = next((c for c in said if c["intent"] == intent), None)
    if len(lookups) != 1 or change is None or _NUMBERED.search(change["text"]):
        return None
    return lookups[0]["intent"], change


def first_of_several(fitting: Callable[[str], list[str]], text: str) -> list[str]:
    """The request of the first clause, when each clause makes a different one.

    "帮我改个收货地址 另外我那个快递到哪了" fits two frames as a whole; clause by clause it
    is the address, then the parcel: ``["modify_address"]`` (the parcel is then offered
    as :func:`also_asked`). ``[]`` when the clauses do not split the requests that way.
    """
    requests = []
    for part in clauses(text):
        fits = fitting(part)
        if len(fits) > 1:
            return []
        requests += fits
    if len(requests) < 2 or len(set(requests)) != len(requests):
        return []
    return requests[:1]


def clause_requests(fitting: Callable[[str], list[str]], text: str) -> list[str]:
    """The requests whose words clauses of ``text`` are in, one each, in the order said.

    ``[]`` for a message of one clause: only a message that puts several things together
    is read clause by clause. A clause that calls a request off counts for nothing.
    """
    return [part["intent"] for part in requests_by_clause(fitting, text)]


def every_clause_a_request(fitting: Callable[[str], list[str]], text: str) -> list[dict[str, str]]:
    """:func:`requests_by_clause` when each clause of ``text`` makes a request of its own.

    "我要退款 HP20240002 还有发票也要开": the refund, then the invoice. ``[]`` when a clause
    fits no request, or two clauses the same one: the words do not explain the message.
    """
    said = requests_by_clause(fitting, text)
    return said if len(said) >= 2 and len(said) == len(clauses(text)) else []


def requests_by_clause(fitting: Callable[[str], list[str]], text: str) -> list[dict[str, str]]:
    """:func:`clause_requests` with the clause of each: ``[{"intent", "text"}, ...]``.

    The first clause of a request stands for it ("帮我查下HP20240001到哪了": its order number
    goes with the offer).
    """
    parts = clauses(text)
    if len(parts) < 2:
        return []
    found: dict[str, str] = {}
    for part in parts:
        fits = fitting(part)
        if len(fits) == 1 and fits[0] in BUSINESS_INTENTS and not _CALLED_OFF.search(part):
            found.setdefault(fits[0], part)
    return [{"intent": intent, "text": part} for intent, part in found.items()]
