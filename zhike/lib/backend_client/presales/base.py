"""The pre-sales methods of the client contract (an abstract mixin of ``BackendClient``).

Public catalogue reads: no customer is needed. An unknown product is ``None``; a backend
that is down raises :class:`~zhike.lib.backend_client.errors.BackendUnavailable`.
"""

from __future__ import annotations

import abc

from zhike.lib.backend_client.presales.domain import (
    Compatibility,
    Product,
    ProductSearch,
    ShippingQuote,
    ShippingRule,
)


class PresalesClient(abc.ABC):
    """Products, fit, delivery days and shipping fees."""

    @abc.abstractmethod
    async def search_products(self, query: str, limit: int = 5) -> ProductSearch:
        """The products a customer's words name (``"格力1.5匹空调"``), best first.

        Also the brands and product words the query names (see :class:`ProductSearch`).

        Args:
            query: the customer's words (1-200 characters).
            limit: at most this many (1-10).

        Raises:
            BackendError: ``invalid_query`` (422) for an empty or too long query.
        """

    @abc.abstractmethod
    async def get_product(self, sku: str) -> Product | None:
        """The product ``sku`` (any case) with its stock and spec, or ``None``."""

    @abc.abstractmethod
    async def check_compatibility(self, sku: str, device: str) -> Compatibility | None:
        """Whether the product fits the device named in ``device`` (the customer's words).

        Returns ``None`` for an unknown product; ``answer`` ``unknown`` when the words name
        no device or the product lists none it fits.

        Raises:
            BackendError: ``invalid_query`` (422) for empty or too long words.
        """

    @abc.abstractmethod
    async def shipping_quote(
        self, sku: str, place: str | None = None, quantity: int = 1
    ) -> ShippingQuote | None:
        """Delivery days and fee of ``quantity`` of ``sku`` to the place named in ``place``.

        ``place`` may be the customer's words ("发到成都要几天"): the first province or
        city named counts. Returns ``None`` for an unknown product.

        Raises:
            BackendError: ``unknown_region`` (422) when ``place`` names no known place;
                ``region_not_served`` (422) for 港澳台 and abroad; ``invalid_quantity``
                (422) outside 1-99.
        """

    @abc.abstractmethod
    async def shipping_rules(self) -> list[ShippingRule]:
        """Every shop's shipping-fee rule, 京选自营 first."""
