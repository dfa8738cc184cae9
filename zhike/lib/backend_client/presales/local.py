"""The pre-sales methods of the in-process client (the backend's own services)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.errors import BackendError
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.lib.backend_client.presales.domain import (
    Compatibility,
    Product,
    ProductSearch,
    ShippingQuote,
    ShippingRule,
    compatibility_from_json,
    matches_from_json,
    product_from_json,
    quote_from_json,
    rules_from_json,
)
from zhike.servers.backend import serializers_presales as doc
from zhike.servers.backend.services import presales


class LocalPresalesMethods(LocalMethods):
    """Pre-sales reads run against the in-memory reference backend."""

    async def search_products(self, query: str, limit: int = 5) -> ProductSearch:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""

        async def work(session: AsyncSession) -> Any:
            return doc.matches_json(await presales.search_products(session, query, limit))

        return matches_from_json(await self._read("search_products", query, work))

    async def get_product(self, sku: str) -> Product | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""

        async def work(session: AsyncSession) -> Any:
            product = await presales.get_product(session, sku)
            if product is None:
                return None
            return doc.product_json(product, await presales.restock_of(session, product.sku))

        data = await self._read("get_product", sku, work)
        return None if data is None else product_from_json(data)

    async def check_compatibility(self, sku: str, device: str) -> Compatibility | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""

        async def work(session: AsyncSession) -> Any:
            result = await presales.compatibility(session, sku, device)
            return doc.compatibility_json(sku.strip().upper(), result)

        try:
            return compatibility_from_json(await self._read("check_compatibility", sku, work))
        except BackendError as error:
            if error.code == "product_not_found":
                return None
            raise

    async def shipping_quote(
        self, sku: str, place: str | None = None, quantity: int = 1
    ) -> ShippingQuote | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""

        async def work(session: AsyncSession) -> Any:
            return doc.quote_json(await presales.shipping_quote(session, sku, place, quantity))

        try:
            return quote_from_json(await self._read("shipping_quote", sku, work))
        except BackendError as error:
            if error.code == "product_not_found":
                return None
            raise

    async def shipping_rules(self) -> list[ShippingRule]:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""

        async def work(session: AsyncSession) -> Any:
            return doc.rules_json(await presales.shipping_rules(session))

        return rules_from_json(await self._read("shipping_rules", "", work))
