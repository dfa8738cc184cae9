"""What a capability's client methods may rely on in each adapter.

A business capability added after the first release (price protection, invoice changes,
delivery changes, ...) lives in a package of its own under
:mod:`zhike.lib.backend_client` with four modules:

* ``domain.py``: its frozen domain objects and their JSON parsers (pure);
* ``base.py``: an abstract mixin with the methods and their contracts, added to
  :class:`~zhike.lib.backend_client.capabilities.CapabilityMethods` (a base of
  :class:`~zhike.lib.backend_client.base.BackendClient`);
* ``http.py``: the HTTP implementation, a :class:`HttpMethods` mixin added to the bases of
  :class:`~zhike.lib.backend_client.http.HttpBackendClient`;
* ``local.py``: the in-process implementation, a :class:`LocalMethods` mixin added to the
  bases of :class:`~zhike.lib.backend_client.fake.InMemoryBackendClient` (it runs the
  reference backend's own service functions, like the rest of that adapter).

The mixins below only declare, for type checkers, the helpers each adapter provides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class HttpMethods:
    """Base of a capability's HTTP methods (provided by ``HttpBackendClient``)."""

    if TYPE_CHECKING:

        async def _call(
            self,
            method: str,
            path: str,
            body: dict[str, Any] | None = None,
            *,
            headers: dict[str, str] | None = None,
        ) -> Any:
            """Sends one request; maps answers and failures to the client contract."""

        async def _get(self, path: str) -> Any | None:
            """GET ``path``; ``None`` on 404."""

        @staticmethod
        def _segment(value: str, what: str) -> str:
            """``value`` quoted as one path segment (``invalid_<what>`` when empty)."""


class LocalMethods:
    """Base of a capability's in-process methods (provided by ``InMemoryBackendClient``)."""

    if TYPE_CHECKING:

        def clock(self) -> datetime:
            """The time the rules see."""

        async def _read(
            self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
        ) -> T:
            """Runs ``work`` in a read session (backend errors become client errors)."""

        async def _write(
            self, method: str, argument: str, work: Callable[[AsyncSession], Awaitable[T]]
        ) -> T:
            """Runs ``work`` in one write transaction (backend errors become client errors)."""
