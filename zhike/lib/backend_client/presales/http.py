"""The pre-sales methods of :class:`~zhike.lib.backend_client.http.HttpBackendClient`."""

from __future__ import annotations

from urllib.parse import urlencode

from zhike.lib.backend_client.mixins import HttpMethods
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

PRODUCTS = "/api/v1/products"


class HttpPresalesMethods(HttpMethods):
    """``/api/v1/products`` and ``/api/v1/shipping/rules`` over HTTP."""

    def _product_path(self, sku: str, suffix: str = "") -> str:
        return f"{PRODUCTS}/{self._segment(sku, 'sku')}{suffix}"

    async def search_products(self, query: str, limit: int = 5) -> ProductSearch:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""
        path = f"{PRODUCTS}?{urlencode({'q': query, 'limit': limit})}"
        return matches_from_json(await self._call("GET", path))

    async def get_product(self, sku: str) -> Product | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""
        data = await self._get(self._product_path(sku))
        return None if data is None else product_from_json(data)

    async def check_compatibility(self, sku: str, device: str) -> Compatibility | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""
        query = urlencode({"device": device})
        data = await self._get(self._product_path(sku, f"/compatibility?{query}"))
        return None if data is None else compatibility_from_json(data)

    async def shipping_quote(
        self, sku: str, place: str | None = None, quantity: int = 1
    ) -> ShippingQuote | None:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""
        params: dict[str, str | int] = {"quantity": quantity}
        if place:
            params["place"] = place
        path = self._product_path(sku, f"/shipping?{urlencode(params)}")
        data = await self._get(path)
        return None if data is None else quote_from_json(data)

    async def shipping_rules(self) -> list[ShippingRule]:
        """See :class:`~zhike.lib.backend_client.presales.base.PresalesClient`."""
        return rules_from_json(await self._call("GET", "/api/v1/shipping/rules"))
