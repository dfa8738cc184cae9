"""A complaint's follow-up messages go to the complaint ticket just opened, not new ones.

An unhappy customer rarely says everything at once: "我要投诉快递员", then "态度太差了",
then "还骂人". Each is a complaint to the NLU, and each used to open another ticket -- three
cases for the complaint team, two of them without the story. Within a few messages of a
complaint ticket opened in this conversation, a further complaint is added to that ticket
as a note (:func:`add_to_recent_complaint`) and the customer hears it was recorded. So is
a detail the NLU could not place but thought likely a complaint ("就是今天送货那个 扔在门口
就走了": :func:`note_complaint_detail`), instead of "您是想咨询…", and the order number
given right after the ticket ("就是HP20240004": :func:`names_the_complaints_order`),
instead of the order's status.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TICKET_PROOF, proven
from actions.identity import known_customer_id
from actions.parsing import ORDER_ID_RE, parse_order_id, typed_text
from actions.services import backend
from actions.turns import suggested_intents
from zhike.common.privacy import mask_text
from zhike.common.questions import asks_question
from zhike.lib.backend_client import BackendError

logger = logging.getLogger(__name__)

# What the bot says when it has opened a complaint ticket (domain/handoff.yml).
COMPLAINT_RESPONSES = frozenset(
    {"utter_handoff_lead_complaint_ticket", "utter_handoff_complaint_later"}
)
# A further complaint within this many customer messages is a follow-up: "服了 真是垃圾"
# five messages after the courier's complaint was a third ticket for one matter.
RECENT_MESSAGES = 8
TICKET_ID = re.compile(r"TK\d{8}")
MAX_NOTE = 500
COMPLAINT_INTENT = "complain"
ORDER_WORDS_MAX = 6  # "就是这个订单" around the number: it only names the order
# What the NLU makes of more of the story with the order ("那单 打电话骂人"): no request.
TOLD = frozenset({"inform", "nlu_fallback", COMPLAINT_INTENT})


def recent_complaint_ticket(tracker: Tracker, within: int = RECENT_MESSAGES) -> str | None:
    """The complaint ticket opened in this conversation within ``within`` customer messages.

    Only a ticket this sender holds a proof of (slot ``my_tickets``) counts.
    """
    users = 0
    for event in reversed(list(tracker.events)):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users > within:
                return None
        elif kind in ("restart", "session_started"):
            return None
        elif kind == "bot" and users >= 1:
            said = (event.get("metadata") or {}).get("utter_action")
            found = TICKET_ID.search(str(event.get("text") or ""))
            if said in COMPLAINT_RESPONSES and found:
                mine = proven(TICKET_PROOF, tracker.get_slot("my_tickets"), tracker.sender_id)
                return found.group(0) if found.group(0) in mine else None
    return None


async def add_to_recent_complaint(
    dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str | None
) -> bool:
    """Adds the latest message to the recent complaint ticket; whether it did (and said so)."""
    ticket_id = recent_complaint_ticket(tracker)
    if ticket_id is None:
        return False
    latest: dict[str, Any] = tracker.latest_message or {}
    text = mask_text(str(latest.get("text") or "").strip())[:MAX_NOTE]  # as they wrote it
    message_id = str(latest.get("message_id") or "")
    key = f"{tracker.sender_id}:{message_id}:note" if message_id else None
    try:
        await backend().add_ticket_note(ticket_id, text, customer_id, idempotency_key=key)
    except BackendError as error:  # closed meanwhile, full, down: a new ticket instead
        logger.warning("Could not add to complaint ticket %s: %s", ticket_id, error)
        return False
    dispatcher.utter_message(response="utter_complaint_noted", ticket_id=ticket_id)
    return True


def names_the_complaints_order(tracker: Tracker) -> bool:
    """Whether the latest message only names the order a complaint ticket just opened is about.

    "就是HP20240004" right after 「已为您登记投诉工单」: noted on the ticket, not a lookup.
    """
    latest = tracker.latest_message or {}
    text = typed_text(latest.get("text"))
    if parse_order_id(text) is None:
        return False
    words = ORDER_ID_RE.sub("", text)
    # "就是HP20240001那单 打电话骂人": the order and more of the story, no new request
    told = (latest.get("intent") or {}).get("name") in TOLD and not asks_question(words)
    if len(words) > ORDER_WORDS_MAX and not told:
        return False
    return recent_complaint_ticket(tracker, within=1) is not None


def likely_complaint(parse_data: dict[str, Any]) -> bool:
    """Whether a declined message's two likeliest topics include a complaint."""
    return COMPLAINT_INTENT in suggested_intents(parse_data)[:2]


async def note_complaint_detail(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Adds a declined message that is likely a complaint's detail to the recent ticket."""
    if not likely_complaint(tracker.latest_message or {}):
        return False
    if recent_complaint_ticket(tracker) is None:
        return False
    return await add_to_recent_complaint(dispatcher, tracker, await known_customer_id(tracker))
