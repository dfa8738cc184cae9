"""The HTTP implementation of the ticket-note method (``POST /api/v1/tickets/{id}/notes``)."""

from __future__ import annotations

from zhike.lib.backend_client.domain import Ticket
from zhike.lib.backend_client.mixins import HttpMethods
from zhike.lib.backend_client.parsing import ticket_from_json

IDEMPOTENCY_HEADER = "Idempotency-Key"


class HttpTicketNotesMethods(HttpMethods):
    """See :class:`~zhike.lib.backend_client.ticket_notes.base.TicketNotesMethods`."""

    async def add_ticket_note(
        self,
        ticket_id: str,
        text: str,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """See :class:`~zhike.lib.backend_client.ticket_notes.base.TicketNotesMethods`."""
        path = f"/api/v1/tickets/{self._segment(ticket_id, 'ticket_id')}/notes"
        body = {"text": text, "customer_id": customer_id}
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        return ticket_from_json(await self._call("POST", path, body, headers=headers))
