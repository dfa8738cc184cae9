"""The exchange methods over HTTP (a mixin of ``HttpBackendClient``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from zhike.lib.backend_client.exchanges.domain import (
    Dispute,
    Exchange,
    ExchangeCheck,
    dispute_from_json,
    exchange_check_from_json,
    exchange_from_json,
    exchanges_from_json,
)
from zhike.lib.backend_client.mixins import HttpMethods
from zhike.lib.backend_client.parsing import ticket_from_json

IDEMPOTENCY_HEADER = "Idempotency-Key"


class HttpExchanges(HttpMethods):
    """See :class:`zhike.lib.backend_client.exchanges.base.ExchangesClient`."""

    def _exchange_path(self, order_id: str, suffix: str) -> str:
        return f"/api/v1/orders/{self._segment(order_id, 'order_id')}{suffix}"

    async def check_exchange(
        self, order_id: str, customer_id: str, sku: str | None = None
    ) -> ExchangeCheck | None:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""
        query = {"customer_id": customer_id, **({"sku": sku} if sku else {})}
        path = f"{self._exchange_path(order_id, '/exchange-check')}?{urlencode(query)}"
        data = await self._get(path)
        return None if data is None else exchange_check_from_json(data)

    async def request_exchange(
        self,
        order_id: str,
        customer_id: str,
        reason: str,
        new_sku: str | None = None,
        note: str = "",
        pickup_slot: str | None = None,
    ) -> Exchange:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""
        body: dict[str, Any] = {"customer_id": customer_id, "reason": reason, "note": note}
        if new_sku:
            body["new_sku"] = new_sku
        if pickup_slot:
            body["pickup_slot"] = pickup_slot
        path = self._exchange_path(order_id, "/exchanges")
        return exchange_from_json(await self._call("POST", path, body))

    async def list_exchanges(self, order_id: str) -> list[Exchange] | None:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""
        data = await self._get(self._exchange_path(order_id, "/exchanges"))
        return None if data is None else exchanges_from_json(data)

    async def open_return_dispute(
        self,
        order_id: str,
        customer_id: str,
        description: str,
        images: Sequence[str] = (),
        channel: str = "",
        idempotency_key: str | None = None,
    ) -> Dispute:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""
        body = {
            "customer_id": customer_id,
            "description": description,
            "images": list(images),
            "channel": channel,
        }
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        path = self._exchange_path(order_id, "/disputes")
        data = await self._call("POST", path, body, headers=headers)
        return dispute_from_json(data, ticket_from_json)
