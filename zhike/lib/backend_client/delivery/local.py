"""The in-process implementation of the delivery-change client (the backend's services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.delivery.domain import (
    DeliveryChange,
    ReturnPickup,
    delivery_change_from_json,
    delivery_changes_from_json,
    pickup_answer_from_json,
    return_pickup_from_json,
)
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.servers.backend import delivery_serializers as doc
from zhike.servers.backend.services import delivery, pickups


class LocalDeliveryMethods(LocalMethods):
    """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

    async def request_interception(
        self, order_id: str, customer_id: str, kind: str = "intercept"
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            change = await delivery.request_interception(
                session, order_id, customer_id, kind, now=self.clock()
            )
            return doc.delivery_change_json(change)

        data = await self._write("request_interception", order_id, work)
        return delivery_change_from_json(data)

    async def list_delivery_changes(self, order_id: str, customer_id: str) -> list[DeliveryChange]:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await delivery.list_changes(session, order_id, customer_id)
            return doc.delivery_changes_json(found)

        data = await self._read("list_delivery_changes", order_id, work)
        return delivery_changes_from_json(data)

    async def schedule_delivery(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            change = await delivery.schedule_delivery(
                session, order_id, customer_id, day.isoformat(), slot, now=self.clock()
            )
            return doc.delivery_change_json(change)

        data = await self._write("schedule_delivery", order_id, work)
        return delivery_change_from_json(data)

    async def change_receiver_phone(
        self, order_id: str, customer_id: str, phone: str
    ) -> DeliveryChange:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            change = await delivery.change_receiver_phone(
                session, order_id, customer_id, phone, now=self.clock()
            )
            return doc.delivery_change_json(change)

        data = await self._write("change_receiver_phone", order_id, work)
        return delivery_change_from_json(data)

    async def get_return_pickup(self, order_id: str, customer_id: str) -> ReturnPickup | None:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await pickups.get_return_pickup(session, order_id, customer_id)
            return doc.pickup_answer_json(found)

        return pickup_answer_from_json(await self._read("get_return_pickup", order_id, work))

    async def reschedule_pickup(
        self, order_id: str, customer_id: str, day: date, slot: str
    ) -> ReturnPickup:
        """See :class:`~zhike.lib.backend_client.delivery.base.DeliveryClient`."""

        async def work(session: AsyncSession) -> Any:
            pickup = await pickups.reschedule_pickup(
                session, order_id, customer_id, day.isoformat(), slot, now=self.clock()
            )
            return doc.return_pickup_json(pickup)

        data = await self._write("reschedule_pickup", order_id, work)
        return return_pickup_from_json(data)
