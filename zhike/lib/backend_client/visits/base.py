"""The contract of the visit methods (an abstract mixin of ``BackendClient``)."""

from __future__ import annotations

import abc
from datetime import date

from zhike.lib.backend_client.visits.domain import Visit, VisitOptions


class VisitsMethods(abc.ABC):
    """Installation and repair visits of the customer's orders.

    Slots are a China-time ``day`` (tomorrow to 14 days ahead) and a ``period``
    (``am`` 9:00-12:00, ``pm`` 13:00-18:00). Every refusal is a ``BackendError`` whose
    ``message`` can be shown to the customer as it is.
    """

    @abc.abstractmethod
    async def visit_options(self, order_id: str, customer_id: str) -> VisitOptions:
        """What each line of the customer's order allows, its address/phone, free slots.

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order).
        """

    @abc.abstractmethod
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
        """Books an installation (``kind="install"``) or repair (``"repair"``) visit.

        Defaults: the first installable line (installation) or the first line (repair);
        the order's address and phone. A repair needs ``problem``; out of warranty it
        needs ``paid=True`` (a paid repair).

        Raises:
            BackendError: ``not_found``; 409 ``not_installable``, ``install_not_allowed``
                (not shipped, cancelled, refunding), ``repair_not_allowed`` (not
                delivered), ``out_of_warranty``, ``visit_exists``, ``slot_full`` (its
                message names the nearest free slots); 422 ``invalid_date``,
                ``invalid_period``, ``invalid_address``, ``invalid_phone``,
                ``invalid_problem``, ``invalid_item``.
        """

    @abc.abstractmethod
    async def list_visits(self, customer_id: str, order_id: str | None = None) -> list[Visit]:
        """The customer's visits (optionally one order's), the most recently booked first."""

    @abc.abstractmethod
    async def reschedule_visit(
        self, visit_id: str, customer_id: str, day: date, period: str
    ) -> Visit:
        """Moves an open visit to another slot.

        Raises:
            BackendError: ``not_found``; 409 ``visit_closed``, ``visit_started``,
                ``too_late`` (within 2 hours of the visit), ``same_slot``, ``slot_full``;
                422 ``invalid_date``, ``invalid_period``.
        """

    @abc.abstractmethod
    async def cancel_visit(self, visit_id: str, customer_id: str) -> Visit:
        """Cancels an open visit.

        Raises:
            BackendError: ``not_found``; 409 ``visit_closed``, ``visit_started``,
                ``too_late``.
        """
