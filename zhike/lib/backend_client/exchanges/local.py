"""The exchange methods in-process (a mixin of ``InMemoryBackendClient``).

Runs the reference backend's own service functions and serializers, exactly like
:mod:`zhike.lib.backend_client.fake`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.backend_client.errors import BackendError
from zhike.lib.backend_client.exchanges.domain import (
    Dispute,
    Exchange,
    ExchangeCheck,
    dispute_from_json,
    exchange_check_from_json,
    exchange_from_json,
    exchanges_from_json,
)
from zhike.lib.backend_client.mixins import LocalMethods
from zhike.lib.backend_client.parsing import ticket_from_json
from zhike.servers.backend import serializers_exchanges as doc
from zhike.servers.backend.services import exchanges, return_disputes


class LocalExchanges(LocalMethods):
    """See :class:`zhike.lib.backend_client.exchanges.base.ExchangesClient`."""

    async def check_exchange(
        self, order_id: str, customer_id: str, sku: str | None = None
    ) -> ExchangeCheck | None:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await exchanges.check_exchange(
                session, order_id, customer_id, sku, now=self.clock()
            )
            return doc.exchange_check_json(found)

        try:
            data = await self._read("check_exchange", order_id, work)
        except BackendError as error:
            if error.status == 404:
                return None
            raise
        return exchange_check_from_json(data)

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

        async def work(session: AsyncSession) -> Any:
            created = await exchanges.request_exchange(
                session,
                order_id,
                customer_id,
                reason,
                new_sku,
                None,
                pickup_slot,
                note,
                now=self.clock(),
            )
            return doc.exchange_json(created)

        return exchange_from_json(await self._write("request_exchange", order_id, work))

    async def list_exchanges(self, order_id: str) -> list[Exchange] | None:
        """See :class:`~zhike.lib.backend_client.exchanges.base.ExchangesClient`."""

        async def work(session: AsyncSession) -> Any:
            found = await exchanges.list_exchanges(session, order_id)
            return doc.exchange_list_json(list(found))

        try:
            data = await self._read("list_exchanges", order_id, work)
        except BackendError as error:
            if error.status == 404:
                return None
            raise
        return exchanges_from_json(data)

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

        async def work(session: AsyncSession) -> Any:
            opened = await return_disputes.open_dispute(
                session,
                order_id,
                customer_id,
                description,
                list(images),
                channel,
                idempotency_key,
                now=self.clock(),
            )
            return doc.dispute_json(opened)

        data = await self._write("open_return_dispute", order_id, work)
        return dispute_from_json(data, ticket_from_json)
