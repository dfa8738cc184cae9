"""The in-process implementation of the 价保 (price protection) and contact methods.

Runs the reference backend's own service functions and serializers, like
:class:`~zhike.lib.backend_client.fake.InMemoryBackendClient` does for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.errors import BackendError
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.lib.backend_client.price_protection.domain import (
    CourierContact,
    MerchantContact,
    PriceCheck,
    PriceProtection,
    PriceProtectionApplication,
    application_from_json,
    courier_from_json,
    merchant_from_json,
    merchants_from_json,
    price_check_from_json,
    protections_from_json,
)
from zhike.servers.backend import serializers_price_protection as doc
from zhike.servers.backend.services import contacts
from zhike.servers.backend.services import price_protection as rules
from zhike.servers.backend.services.customers import get_customer


class LocalPriceProtectionMethods(LocalMethods):
    """See :class:`~zhike.lib.backend_client.price_protection.base.PriceProtectionMethods`."""

    async def check_price_protection(self, order_id: str, customer_id: str) -> PriceCheck:
        """See the contract."""

        async def work(session: AsyncSession) -> Any:
            found = await rules.check_price_protection(
                session, order_id, customer_id, now=self.clock()
            )
            return doc.price_check_json(found)

        return price_check_from_json(await self._write("check_price_protection", order_id, work))

    async def apply_price_protection(
        self, order_id: str, customer_id: str, positions: Sequence[int] | None = None
    ) -> PriceProtectionApplication:
        """See the contract."""
        chosen = None if positions is None else list(positions)

        async def work(session: AsyncSession) -> Any:
            granted = await rules.apply_price_protection(
                session, order_id, customer_id, chosen, now=self.clock()
            )
            return doc.application_json(granted)

        return application_from_json(await self._write("apply_price_protection", order_id, work))

    async def list_price_protections(
        self, customer_id: str, order_id: str | None = None
    ) -> list[PriceProtection]:
        """See the contract."""

        async def work(session: AsyncSession) -> Any:
            if await get_customer(session, customer_id) is None:
                return None
            rows = await rules.list_price_protections(session, customer_id, order_id)
            return doc.protections_json(rows)

        data = await self._read("list_price_protections", customer_id, work)
        return [] if data is None else protections_from_json(data)

    async def get_courier_contact(self, order_id: str, customer_id: str) -> CourierContact:
        """See the contract."""

        async def work(session: AsyncSession) -> Any:
            return doc.courier_json(await contacts.courier_contact(session, order_id, customer_id))

        return courier_from_json(await self._write("get_courier_contact", order_id, work))

    async def order_merchants(self, order_id: str, customer_id: str) -> list[MerchantContact]:
        """See the contract."""

        async def work(session: AsyncSession) -> Any:
            found = await contacts.order_merchants(session, order_id, customer_id)
            return doc.merchants_json(found)

        return merchants_from_json(await self._write("order_merchants", order_id, work))

    async def product_merchant(self, sku: str) -> MerchantContact | None:
        """See the contract."""

        async def work(session: AsyncSession) -> Any:
            return doc.merchant_json(await contacts.product_merchant(session, sku))

        try:
            data = await self._read("product_merchant", sku, work)
        except BackendError as error:
            if error.status == 404:
                return None
            raise
        return merchant_from_json(data)
