"""The HTTP implementation of the delivery-change client (``/api/v1/orders/<id>/...``)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from zhike.lib.backend_client.delivery.domain import (
    DeliveryChange,
    ReturnPickup,
    delivery_change_from_json,
    delivery_changes_from_json,
    pickup_answer_from_json,
    return_pickup_from_json,
)
from zhike.lib.backend_client.mixins import HttpMethods


class HttpDeliveryMethods(HttpMethods):
    """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

    def _delivery_path(self, order_id: str, suffix: str) -> str:
        return f"/api/v1/orders/{self._segment(order_id, 'order_id')}{suffix}"

    def _reader_query(self, customer_id: str) -> str:
        return f"?customer_id={quote(self._segment(customer_id, 'customer_id'), safe='')}"

    async def request_interception(
        self, order_id: str, customer_id: str, kind: str = "intercept"
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        body = {"customer_id": customer_id, "kind": kind}
        path = self._delivery_path(order_id, "/interceptions")
        return delivery_change_from_json(await self._call("POST", path, body))

    async def list_delivery_changes(self, order_id: str, customer_id: str) -> list[DeliveryChange]:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        path = self._delivery_path(order_id, "/delivery-changes") + self._reader_query(customer_id)
        return delivery_changes_from_json(await self._call("GET", path))

    async def schedule_delivery(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        body = {"customer_id": customer_id, "date": day.isoformat(), "slot": slot}
        path = self._delivery_path(order_id, "/delivery-window")
        return delivery_change_from_json(await self._call("PUT", path, body))

    async def change_receiver_phone(
        self, order_id: str, customer_id: str, phone: str
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        body = {"customer_id": customer_id, "phone": phone}
        path = self._delivery_path(order_id, "/receiver-phone")
        return delivery_change_from_json(await self._call("PUT", path, body))

    async def get_return_pickup(self, order_id: str, customer_id: str) -> ReturnPickup | None:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        path = self._delivery_path(order_id, "/return-pickup") + self._reader_query(customer_id)
        return pickup_answer_from_json(await self._call("GET", path))

    async def reschedule_pickup(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> ReturnPickup:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""
        body = {"customer_id": customer_id, "date": day.isoformat(), "slot": slot}
        path = self._delivery_path(order_id, "/return-pickup")
        return return_pickup_from_json(await self._call("PUT", path, body))
