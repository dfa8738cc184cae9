"""The 价保 (price protection) and contact methods of the client contract (abstract mixin).

Same contract as :class:`zhike.lib.backend_client.base.BackendClient`: another
customer's order is ``not_found`` (never told apart from an unknown one), refusals
raise :class:`~zhike.lib.backend_client.errors.BackendError` with the backend's code and
Chinese message, a backend that is down raises ``BackendUnavailable``.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from zhike.lib.backend_client.price_protection.domain import (
    CourierContact,
    MerchantContact,
    PriceCheck,
    PriceProtection,
    PriceProtectionApplication,
)


class PriceProtectionMethods(abc.ABC):
    """价保 checks, applications and lists; the courier's and the shops' contacts."""

    @abc.abstractmethod
    async def check_price_protection(self, order_id: str, customer_id: str) -> PriceCheck:
        """The 价保 verdict of each item of the customer's order (changes nothing).

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order),
                ``invalid_order_id``.
        """

    @abc.abstractmethod
    async def apply_price_protection(
        self, order_id: str, customer_id: str, positions: Sequence[int] | None = None
    ) -> PriceProtectionApplication:
        """Protects the eligible items (all, or those at ``positions``).

        The difference × quantity is refunded through a refund (reason 价格保护退差价)
        that the refund progress shows.

        Raises:
            BackendError: ``not_found``; ``price_protection_exists`` (applied already);
                ``price_protection_not_eligible`` (the message says why, item by item);
                ``invalid_positions``.
        """

    @abc.abstractmethod
    async def list_price_protections(
        self, customer_id: str, order_id: str | None = None
    ) -> list[PriceProtection]:
        """The customer's applications, newest first (one order's when given).

        An unknown customer has none (``[]``).
        """

    @abc.abstractmethod
    async def get_courier_contact(self, order_id: str, customer_id: str) -> CourierContact:
        """The courier of the customer's parcel while it is on its way (masked), or why not.

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order).
        """

    @abc.abstractmethod
    async def order_merchants(self, order_id: str, customer_id: str) -> list[MerchantContact]:
        """How to reach the shops of the customer's order.

        Raises:
            BackendError: ``not_found`` (unknown or another customer's order).
        """

    @abc.abstractmethod
    async def product_merchant(self, sku: str) -> MerchantContact | None:
        """How to reach the shop selling ``sku``; ``None`` for an unknown product."""
