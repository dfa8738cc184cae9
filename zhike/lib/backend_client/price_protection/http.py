"""The HTTP implementation of the 价保 (price protection) and contact methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from zhike.lib.backend_client.mixins import HttpMethods
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

API = "/api/v1"


class HttpPriceProtectionMethods(HttpMethods):
    """See :class:`~zhike.lib.backend_client.price_protection.base.PriceProtectionMethods`."""

    def _pp_order(self, order_id: str, suffix: str) -> str:
        return f"{API}/orders/{self._segment(order_id, 'order_id')}{suffix}"

    async def check_price_protection(self, order_id: str, customer_id: str) -> PriceCheck:
        """See the contract."""
        path = self._pp_order(order_id, "/price-protection/checks")
        return price_check_from_json(await self._call("POST", path, {"customer_id": customer_id}))

    async def apply_price_protection(
        self, order_id: str, customer_id: str, positions: Sequence[int] | None = None
    ) -> PriceProtectionApplication:
        """See the contract."""
        body: dict[str, Any] = {"customer_id": customer_id}
        if positions is not None:
            body["positions"] = list(positions)
        path = self._pp_order(order_id, "/price-protections")
        return application_from_json(await self._call("POST", path, body))

    async def list_price_protections(
        self, customer_id: str, order_id: str | None = None
    ) -> list[PriceProtection]:
        """See the contract."""
        query = f"?order_id={self._segment(order_id, 'order_id')}" if order_id else ""
        path = f"{API}/customers/{self._segment(customer_id, 'customer_id')}/price-protections"
        data = await self._get(path + query)
        return [] if data is None else protections_from_json(data)

    async def get_courier_contact(self, order_id: str, customer_id: str) -> CourierContact:
        """See the contract."""
        query = f"?customer_id={quote((customer_id or '').strip(), safe='')}"
        return courier_from_json(
            await self._call("GET", self._pp_order(order_id, "/courier") + query)
        )

    async def order_merchants(self, order_id: str, customer_id: str) -> list[MerchantContact]:
        """See the contract."""
        query = f"?customer_id={quote((customer_id or '').strip(), safe='')}"
        path = self._pp_order(order_id, "/merchants") + query
        return merchants_from_json(await self._call("GET", path))

    async def product_merchant(self, sku: str) -> MerchantContact | None:
        """See the contract."""
        data = await self._get(f"{API}/products/{self._segment(sku, 'sku')}/merchant")
        return None if data is None else merchant_from_json(data)
