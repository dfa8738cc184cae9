"""Tickets (工单): their progress, and complaints that open one."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import TICKET_PROOF, proven
from actions.context import remind_active_form
from actions.dates import format_time
from actions.identity import identify
from actions.parsing import normalize_text
from actions.services import backend
from zhike.lib.backend_client import BackendError, BackendUnavailable, Ticket
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.handoff.runtime import settings_from_env
from zhike.lib.identity.resolver import Identity

logger = logging.getLogger(__name__)

TICKET_STATUS = {
    "open": "已受理，等待专员处理",
    "in_progress": "专员正在处理中",
    "resolved": "已处理完成",
    "closed": "已关闭",
}
CATEGORIES = {
    "order": "订单问题",
    "refund": "退款问题",
    "logistics": "物流问题",
    "invoice": "发票问题",
    "course": "课程问题",
    "complaint": "投诉",
    "other": "其他问题",
}
SHOWN_TICKETS = 3
# Tickets the handoff service opens (a complaint, no agent online), whose reply time it
# promised; a refund's ticket was promised a call within a working day instead.
HANDOFF_CATEGORIES = frozenset({"complaint", "other"})


def may_see_ticket(identity: Identity, ticket: Ticket, my_tickets: list[str]) -> bool:
    """A known customer sees their own tickets; anyone sees those opened in this chat.

    ``my_tickets`` are the tickets proved opened in this chat (:func:`tickets_of_chat`).
    """
    if ticket.ticket_id in my_tickets:
        return True
    return identity.customer_id is not None and ticket.customer_id == identity.customer_id


def tickets_of_chat(tracker: Tracker) -> list[str]:
    """The tickets opened in this chat: the valid, unexpired proofs of ``my_tickets``."""
    return proven(TICKET_PROOF, tracker.get_slot("my_tickets"), tracker.sender_id)


def _say_ticket(
    dispatcher: CollectingDispatcher, ticket: Ticket, settings: HandoffSettings | None
) -> None:
    dispatcher.utter_message(
        response="utter_ticket_status",
        ticket_id=ticket.ticket_id,
        category=CATEGORIES.get(ticket.category, "其他问题"),
        status_label=TICKET_STATUS.get(ticket.status, "处理中"),
        updated=format_time(ticket.updated_at or ticket.created_at) or "刚刚",
        promise=contact_promise(ticket, settings),
    )


def contact_promise(
    ticket: Ticket, settings: HandoffSettings | None, now: datetime | None = None
) -> str:
    """When a handoff's ticket not handled yet is due a call ("投诉处理要多久"), else ``""``.

    The time the handoff service promised when it opened a ticket for lack of an agent
    (:meth:`~zhike.lib.handoff.config.HandoffSettings.ticket_reply_by`); none without
    ``settings``. A time already past is owned up to, with 转人工 to chase it.
    """
    if ticket.status != "open" or ticket.created_at is None:
        return ""
    if ticket.category not in HANDOFF_CATEGORIES:  # e.g. a refund's: "1 个工作日内", as told
        return ""
    if settings is None:  # malformed business hours in the environment
        return ""
    by = settings.ticket_reply_by(ticket.created_at)
    if by < (now or datetime.now(timezone.utc)):  # promised, and late: said so
        when = format_time(by)
        return f"原定 {when} 前联系您，已经晚了，非常抱歉🙏 需要的话回复「转人工」帮您催一下。"
    return f"专员会在 {format_time(by)} 前联系您，请保持电话畅通。"


def _handoff_settings() -> HandoffSettings | None:
    """The business hours the handoff service promises by, or ``None`` when malformed."""
    try:
        return settings_from_env()
    except ValueError as error:
        logger.warning("No reply times for tickets: %s", error)
        return None


class ActionTicketStatus(Action):
    """Tells a ticket's progress: the one named, else the customer's latest ones."""

    def name(self) -> str:
        """See the base class."""
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answers only about tickets the sender may see (:func:`may_see_ticket`)."""
        ticket_id = normalize_text(tracker.get_slot("ticket_id")).upper() or None
        mine = tickets_of_chat(tracker)
        settings = _handoff_settings()
        try:
            identity = await identify(tracker)
            if ticket_id is not None:
                ticket = await backend().get_ticket(ticket_id)
                if ticket is None or not may_see_ticket(identity, ticket, mine):
                    dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=ticket_id)
                else:
                    _say_ticket(dispatcher, ticket, settings)
                return [SlotSet("ticket_id", None)]
            tickets = await self._known_tickets(identity, mine)
        except BackendUnavailable as error:
            logger.warning("Ticket lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("ticket_id", None)]
        except BackendError as error:
            logger.warning("Ticket lookup refused: %s", error)
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=ticket_id or "")
            return [SlotSet("ticket_id", None)]
        if tickets is None:
            dispatcher.utter_message(response="utter_ask_ticket_id")
        elif not tickets:
            dispatcher.utter_message(response="utter_no_tickets")
        for ticket in (tickets or [])[:SHOWN_TICKETS]:
            _say_ticket(dispatcher, ticket, settings)
        remind_active_form(dispatcher, tracker)
        return []

    @staticmethod
    async def _known_tickets(identity: Identity, mine: list[str]) -> list[Ticket] | None:
        """The tickets opened in this chat, newest first, then the customer's others."""
        found = [await backend().get_ticket(ticket_id) for ticket_id in reversed(mine)]
        in_chat = [ticket for ticket in found if ticket is not None]
        if identity.customer_id is None:
            return in_chat if mine else None
        others = await backend().list_tickets(identity.customer_id)
        shown = set(mine)
        return in_chat + [ticket for ticket in others if ticket.ticket_id not in shown]
