"""The exchange methods of the client contract (an abstract mixin of ``BackendClient``).

Same contract as every method of :class:`zhike.lib.backend_client.base.BackendClient`:
reads answer ``None`` for an unknown record (or another customer's, where the read is
the customer's own), writes raise ``BackendError`` (``not_found`` for another customer's
order) and ``BackendUnavailable`` when the backend is down.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from zhike.lib.backend_client.exchanges.domain import Dispute, Exchange, ExchangeCheck


class ExchangesClient(abc.ABC):
    """Exchanges (换货) and disputed returns (退货争议)."""

    @abc.abstractmethod
    async def check_exchange(
        self, order_id: str, customer_id: str, sku: str | None = None
    ) -> ExchangeCheck | None:
        """Whether the customer's order line may be exchanged, and its sibling variants.

        Args:
            order_id: the order.
            customer_id: the customer asking (must own the order).
            sku: the ordered SKU (default: the order's first line).

        Returns:
            The check (``eligible`` False with ``code`` and a Chinese ``message`` when
            not: ``exchange_not_allowed``, ``order_closed``, ``not_exchangeable``,
            ``exchange_window_passed``, ``exchange_exists``), or ``None`` for an unknown
            or another customer's order.
        """

    @abc.abstractmethod
    async def request_exchange(
        self,
        order_id: str,
        customer_id: str,
        reason: str,
        new_sku: str | None = None,
        note: str = "",
        pickup_slot: str | None = None,
    ) -> Exchange:
        """Opens an exchange of the order's (first) line.

        Args:
            order_id: the order.
            customer_id: the customer acting.
            reason: ``size``, ``colour`` or ``defect``.
            new_sku: the variant wanted (size/colour); a defect gets the same SKU.
            note: the customer's words.
            pickup_slot: ``09:00-12:00`` (default) or ``14:00-18:00``, tomorrow.

        Raises:
            BackendError: ``not_found``; 409 ``exchange_not_allowed``, ``order_closed``,
                ``not_exchangeable``, ``exchange_window_passed``, ``exchange_exists``,
                ``not_same_family``, ``out_of_stock``; 422 ``invalid_reason``,
                ``invalid_new_sku``, ``invalid_pickup_slot``, ``invalid_note``.
        """

    @abc.abstractmethod
    async def list_exchanges(self, order_id: str) -> list[Exchange] | None:
        """The order's exchanges, oldest first; ``None`` for an unknown order.

        A read like ``get_order``: the caller checks that the sender may see the order.
        """

    @abc.abstractmethod
    async def open_return_dispute(
        self,
        order_id: str,
        customer_id: str,
        description: str,
        images: Sequence[str] = (),
        channel: str = "",
        idempotency_key: str | None = None,
    ) -> Dispute:
        """Opens a ``return_dispute`` ticket with the customer's evidence.

        Args:
            order_id: the order whose return was refused.
            customer_id: the customer acting.
            description: their account (2-1000 characters).
            images: image URLs or a channel's media ids (at most 9).
            channel: the channel the customer wrote on.
            idempotency_key: a repeat with the same key returns the first ticket.

        Raises:
            BackendError: ``not_found``; 409 ``no_return`` (no refund or exchange to
                dispute); 422 ``invalid_description`` or ``invalid_images``.
        """
