"""The in-process implementation of the ticket-note method (the backend's own service)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.domain import Ticket
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.lib.backend_client.parsing import ticket_from_json
from zhike.servers.backend.serializers import ticket_json
from zhike.servers.backend.services import tickets


class LocalTicketNotesMethods(LocalMethods):
    """See :class:`~zhike.lib.backend_client.ticket_notes.base.TicketNotesMethods`."""

    async def add_ticket_note(
        self,
        ticket_id: str,
        text: str,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """See :class:`~zhike.lib.backend_client.ticket_notes.base.TicketNotesMethods`."""

        async def work(session: AsyncSession) -> Any:
            result = await tickets.append_note(
                session, ticket_id, text, customer_id, idempotency_key, now=self.clock()
            )
            return ticket_json(result.ticket)

        return ticket_from_json(await self._write("add_ticket_note", ticket_id, work))
