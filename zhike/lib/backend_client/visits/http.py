"""The HTTP implementation of the visit methods."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from zhike.lib.backend_client.mixins import HttpMethods
from zhike.lib.backend_client.visits.domain import (
    Visit,
    VisitOptions,
    visit_from_json,
    visit_options_from_json,
    visits_from_json,
)


class HttpVisitsMethods(HttpMethods):
    """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""

    async def visit_options(self, order_id: str, customer_id: str) -> VisitOptions:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""
        path = f"/api/v1/orders/{self._segment(order_id, 'order_id')}/visit-options"
        query = urlencode({"customer_id": customer_id})
        return visit_options_from_json(await self._call("GET", f"{path}?{query}"))

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
        body: dict[str, Any] = {
            "customer_id": customer_id,
            "kind": kind,
            "date": day.isoformat(),
            "period": period,
            "item_position": item_position,
            "address": address,
            "phone": phone,
            "problem": problem,
            "paid": paid,
        }
        path = f"/api/v1/orders/{self._segment(order_id, 'order_id')}/visits"
        return visit_from_json(await self._call("POST", path, body))

    async def list_visits(self, customer_id: str, order_id: str | None = None) -> list[Visit]:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""
        path = f"/api/v1/customers/{self._segment(customer_id, 'customer_id')}/visits"
        if order_id:
            path += "?" + urlencode({"order_id": order_id})
        return visits_from_json(await self._call("GET", path))

    async def reschedule_visit(
        self, visit_id: str, customer_id: str, day: date, period: str
    ) -> Visit:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""
        body = {"customer_id": customer_id, "date": day.isoformat(), "period": period}
        path = f"/api/v1/visits/{self._segment(visit_id, 'visit_id')}/slot"
        return visit_from_json(await self._call("PUT", path, body))

    async def cancel_visit(self, visit_id: str, customer_id: str) -> Visit:
        """See :class:`~zhike.lib.backend_client.visits.base.VisitsMethods`."""
        path = f"/api/v1/visits/{self._segment(visit_id, 'visit_id')}/cancel"
        return visit_from_json(await self._call("POST", path, {"customer_id": customer_id}))
