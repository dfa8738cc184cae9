"""What the robot does with an ``inform`` that opens a conversation (data/rules).

``inform`` is a bare value answering the bot's question. As a customer's first request
there is no question it answers, and the rules decide what happens: a message carrying an
order number starts an order lookup (``order_id_form``, rule "A bare order number starts an
order lookup"), one carrying a ticket number asks for the ticket's progress, and anything
else gets the core fallback ("抱歉，我暂时没能理解您的问题。需要为您转接人工客服吗？",
RulePolicy's ``action_default_fallback``). :func:`as_opening` makes the parse say so, so
that the benchmark counts what the customer sees, not the intent's name.
"""

from __future__ import annotations

from typing import Any

from bench.nlu.model import FALLBACK, Parse

INFORM = "inform"
# The entity an opening `inform` needs to start a flow, and the request it is taken as.
OPENING_RULES = (("order_id", "query_order"), ("ticket_id", "query_ticket"))


def opening(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with an opening ``inform`` replaced by what the rules make of it."""
    intent = result.get("intent") or {}
    if intent.get("name") != INFORM:
        return result
    found = {str(e.get("entity")) for e in result.get("entities") or []}
    acted = next((request for entity, request in OPENING_RULES if entity in found), FALLBACK)
    return {**result, "intent": {**intent, "name": acted}}


def as_opening(parse: Parse) -> Parse:
    """``parse`` followed by :func:`opening`."""

    async def parse_opening(text: str) -> dict[str, Any]:
        return opening(await parse(text))

    return parse_opening
