"""The in-process implementation of the visit methods (the backend's own services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.mixins import LocalMethods
from zhike.lib.backend_client.visits.domain import (
    Visit,
    VisitOptions,
    visit_from_json,
    visit_options_from_json,
    visits_from_json,
)
from zhike.servers.backend import serializers_visits as doc
from zhike.servers.backend.services import visit_changes, visits


class LocalVisitsMethods(LocalMethods):
    """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

    async def visit_options(self, order_id: str, customer_id: str) -> VisitOptions:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

        async def work(session: AsyncSession) -> Any:
            found = await visits.visit_options(session, order_id, customer_id, now=self.clock())
            return doc.visit_options_json(found)

        return visit_options_from_json(await self._read("visit_options", order_id, work))

    async def book_visit(
        self,
        order_id: str,
        customer_id: str,
        kind: str,
        day: date,
        period: str,
        *,
        item_position: int | None = None,
        address: str | None = None,
        phone: str | None = None,
        problem: str = "",
        paid: bool = False,
    ) -> Visit:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

        async def work(session: AsyncSession) -> Any:
            visit = await visits.book_visit(
                session,
                order_id,
                customer_id,
                kind,
                day.isoformat(),
                period,
                item_position=item_position,
                address=address,
                phone=phone,
                problem=problem,
                paid=paid,
                now=self.clock(),
            )
            return doc.visit_json(visit)

        return visit_from_json(await self._write("book_visit", order_id, work))

    async def list_visits(self, customer_id: str, order_id: str | None = None) -> list[Visit]:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

        async def work(session: AsyncSession) -> Any:
            return doc.visits_json(await visits.list_visits(session, customer_id, order_id))

        return visits_from_json(await self._read("list_visits", customer_id, work))

    async def reschedule_visit(
        self, visit_id: str, customer_id: str, day: date, period: str
    ) -> Visit:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

        async def work(session: AsyncSession) -> Any:
            visit = await visit_changes.reschedule_visit(
                session, visit_id, customer_id, day.isoformat(), period, now=self.clock()
            )
            return doc.visit_json(visit)

        return visit_from_json(await self._write("reschedule_visit", visit_id, work))

    async def cancel_visit(self, visit_id: str, customer_id: str) -> Visit:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

        async def work(session: AsyncSession) -> Any:
            visit = await visit_changes.cancel_visit(
                session, visit_id, customer_id, now=self.clock()
            )
            return doc.visit_json(visit)

        return visit_from_json(await self._write("cancel_visit", visit_id, work))
