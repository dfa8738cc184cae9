"""The in-process client's identity methods and its mapping of refusals to client errors.

Split from :mod:`zhike.lib.backend_client.fake`; :class:`IdentityMethods` is a mixin of
:class:`~zhike.lib.backend_client.fake.InMemoryBackendClient`, which provides ``clock``,
``sent_codes``, ``_read`` and ``_write``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.deployment import is_development
from zhike.lib.backend_client import parsing
from zhike.lib.backend_client.domain import PhoneCheck
from zhike.lib.backend_client.errors import BackendError, BackendRateLimited, BackendUnavailable
from zhike.servers.backend import serializers as doc
from zhike.servers.backend.code_delivery import SentCodes, deliver_code
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.services import identity
from zhike.servers.backend.services.common import customer_id_of

T = TypeVar("T")


def client_error(error: ApiError, write: bool = False) -> BackendError:
    """The refusal as the HTTP client would report it (``not_found`` for a 404 write)."""
    if write and error.status_code == 404:
        return BackendError(error.message, code="not_found", status=404)
    if error.status_code == 429:
        return BackendRateLimited(error.message, error.code, 429, error.retry_after)
    if error.status_code >= 500:
        return BackendUnavailable(error.message, code=error.code, status=error.status_code)
    return BackendError(error.message, code=error.code, status=error.status_code)


class IdentityMethods:
    """Phone checks, bindings and one-time codes of the in-process client."""

    sent_codes: SentCodes

    if TYPE_CHECKING:

        def clock(self) -> datetime:
            """The time the rules see."""

        async def _read(
            self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
        ) -> T:
            """Runs ``work`` in a read session."""

        async def _write(
            self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
        ) -> T:
            """Runs ``work`` in a write transaction."""

    async def check_order_phone(
        self, order_id: str, last4: str, requester: str, client_address: str | None = None
    ) -> PhoneCheck:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> Any:
            result = await identity.check_order_phone(
                session, order_id, last4, requester, client_address, now=self.clock()
            )
            return doc.phone_check_json(result)

        return parsing.phone_check_from_json(await self._write("check_order_phone", order_id, work))

    async def get_binding(self, channel: str, channel_user_id: str) -> str | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> str | None:
            found = await identity.get_binding(session, channel, channel_user_id, now=self.clock())
            return None if found is None else found.customer_id

        return await self._read("get_binding", f"{channel}:{channel_user_id}", work)

    async def unbind(self, channel: str, channel_user_id: str) -> bool:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> bool:
            return await identity.unbind(session, channel, channel_user_id)

        return await self._write("unbind", f"{channel}:{channel_user_id}", work)

    async def request_binding_code(
        self, phone: str, channel: str, channel_user_id: str
    ) -> str | None:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> identity.IssuedCode:
            return await identity.request_binding_code(
                session, phone, channel, channel_user_id, now=self.clock()
            )

        issued = await self._write("request_binding_code", phone, work)
        channel, user = identity.channel_user(channel, channel_user_id)
        deliver_code(issued, channel, user, dev_mode=is_development(), sent_codes=self.sent_codes)
        return issued.request_id

    async def confirm_binding(
        self,
        phone: str | None,
        code: str,
        channel: str,
        channel_user_id: str,
        *,
        request_id: str | None = None,
    ) -> str:
        """See :class:`~zhike.lib.backend_client.base.BackendClient`."""

        async def work(session: AsyncSession) -> str:
            binding = await identity.confirm_binding(
                session,
                phone,
                code,
                channel,
                channel_user_id,
                request_id=request_id,
                now=self.clock(),
            )
            return customer_id_of(binding.customer_id)

        return await self._write("confirm_binding", f"{channel}:{channel_user_id}", work)

    def last_code(self, phone: str) -> str | None:
        """The latest one-time code "sent" to ``phone`` (tests)."""
        codes = [m["code"] for m in self.sent_codes.messages if m.get("phone") == phone]
        return codes[-1] if codes else None
