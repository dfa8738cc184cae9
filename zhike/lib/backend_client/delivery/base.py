"""The client contract of delivery changes: an abstract mixin of ``BackendClient``."""

from __future__ import annotations

import abc
from datetime import date

from zhike.lib.backend_client.delivery.domain import DeliveryChange, ReturnPickup


class DeliveryClient(abc.ABC):
    """Interceptions, delivery windows, the receiver's phone and return pickups.

    Every method takes the acting ``customer_id`` and refuses (``not_found``) an order of
    another customer, exactly like an unknown one. Days are China-time calendar days;
    slots are ``am`` (上午), ``pm`` (下午) and ``evening`` (晚上, deliveries only).
    """

    @abc.abstractmethod
    async def request_interception(
        self, order_id: str, customer_id: str, kind: str = "intercept"
    ) -> DeliveryChange:
        """Asks the courier to stop a shipped parcel (``intercept``) or return it (``return``).

        The change starts ``requested`` with the courier's fee in ``fee_fen``; the courier's
        answer later makes it ``intercepted`` or ``failed``.

        Raises:
            BackendError: ``not_found``; 409 ``not_shipped`` (cancel the order instead),
                ``already_delivered`` (return it instead), ``interception_not_allowed``,
                ``interception_exists``, ``courier_cannot_intercept`` (out for delivery with
                a courier that cannot); 422 ``invalid_kind``.
        """

    @abc.abstractmethod
    async def list_delivery_changes(self, order_id: str, customer_id: str) -> list[DeliveryChange]:
        """The delivery changes of the customer's order, oldest first.

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order).
        """

    @abc.abstractmethod
    async def schedule_delivery(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> DeliveryChange:
        """Chooses the delivery day (tomorrow to 7 days ahead) and slot (预约配送).

        Raises:
            BackendError: ``not_found``; 409 ``already_delivered``,
                ``delivery_window_not_allowed``, ``out_for_delivery``,
                ``appointment_not_supported`` (a small parcel of a courier without
                appointments); 422 ``invalid_date``, ``date_out_of_window``, ``invalid_slot``.
        """

    @abc.abstractmethod
    async def change_receiver_phone(
        self, order_id: str, customer_id: str, phone: str
    ) -> DeliveryChange:
        """Changes the receiver's mobile number before the parcel is delivered.

        Raises:
            BackendError: ``not_found``; 409 ``already_delivered``, ``phone_not_changeable``,
                ``same_phone``; 422 ``invalid_phone``.
        """

    @abc.abstractmethod
    async def get_return_pickup(self, order_id: str, customer_id: str) -> ReturnPickup | None:
        """The pickup of an open refund of the order, or ``None`` when it has none.

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order).
        """

    @abc.abstractmethod
    async def reschedule_pickup(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> ReturnPickup:
        """Moves the return pickup to another day (tomorrow to 7 days ahead), am or pm.

        Raises:
            BackendError: ``not_found``; 409 ``no_pickup``, ``pickup_done``, ``same_window``;
                422 ``invalid_date``, ``date_out_of_window``, ``invalid_slot``.
        """
