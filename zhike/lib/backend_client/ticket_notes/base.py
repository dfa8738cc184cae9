"""The contract of the ticket-note method (an abstract mixin of ``BackendClient``)."""

from __future__ import annotations

import abc

from zhike.lib.backend_client.domain import Ticket


class TicketNotesMethods(abc.ABC):
    """Follow-ups of a customer on a ticket they opened ("态度太差了" after "我要投诉").

    Every refusal is a ``BackendError`` whose ``message`` can be shown to the customer as
    it is.
    """

    @abc.abstractmethod
    async def add_ticket_note(
        self,
        ticket_id: str,
        text: str,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Appends ``text`` to the ticket's notes; returns the updated ticket.

        ``customer_id`` is the acting customer: a customer's ticket takes notes only from
        that customer; an anonymous ticket from any caller (the caller proved the sender
        opened it). The ticket's ``updated_at`` moves to now. The same
        ``idempotency_key`` returns the ticket again without adding the note twice.

        Raises:
            BackendError: ``not_found`` (404: unknown, or another customer's ticket);
                ``invalid_ticket_id`` (400); ``ticket_closed`` (409: resolved or closed);
                ``too_many_notes`` (409: 20 notes already); ``invalid_note`` (422: empty
                or more than 500 characters); ``invalid_idempotency_key`` (400).
        """
