"""The HTTP client of the reference backend's REST API (``/api/v1``)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx

from zhike.backend_client.base import (
    BackendClient,
    BackendError,
    BackendUnavailable,
    Customer,
    Logistics,
    Order,
)
from zhike.backend_client.parsing import (
    customer_from_json,
    logistics_from_json,
    order_from_json,
    orders_from_json,
)

API_KEY_HEADER = "X-Api-Key"


class HttpBackendClient(BackendClient):
    """Talks to the zhike backend (or any server speaking its API) over HTTP.

    Contract of every call: it returns or raises within about ``timeout`` seconds.

    * 200 -> the parsed domain object; 404 -> ``None``.
    * other 4xx -> :class:`BackendError` with the server's code and message
      (401 means a missing or wrong API key).
    * 5xx, timeouts and connection errors -> :class:`BackendUnavailable`.
    * a malformed body -> :class:`BackendError` with code ``invalid_response``.

    One ``httpx.AsyncClient`` (connection pool) is reused for all calls made from the same
    event loop; it is opened lazily, so constructing this object does no I/O. Environment
    proxy settings are ignored unless ``trust_env=True``. Call :meth:`aclose` when done
    (a call after that opens a fresh pool).

    Args:
        base_url: e.g. ``http://127.0.0.1:5080`` (without ``/api/v1``).
        api_key: shared secret sent as ``X-Api-Key``; ``None`` sends none.
        timeout: seconds for the whole call (connect, send, wait for and read the answer).
        transport: optional httpx transport (tests, custom TLS or retries).
        trust_env: honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` and friends.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 2.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = False,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self._headers = {"Accept": "application/json", "User-Agent": "zhike-backend-client/1"}
        if api_key:
            self._headers[API_KEY_HEADER] = api_key
        self._transport = transport
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"HttpBackendClient(base_url={self.base_url!r}, timeout={self.timeout})"

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed or self._loop is not loop:
            # A pool's connections belong to the loop that opened them: one client per loop.
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=self._headers,
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
                transport=self._transport,
                trust_env=self._trust_env,
            )
            self._loop = loop
        return self._client

    async def _get_json(self, path: str) -> Any | None:
        """GETs ``path``; returns the JSON body, or None for 404; raises per the contract."""
        url = f"{self.base_url}{path}"
        try:
            response = await asyncio.wait_for(self._http().get(path), timeout=self.timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException) as error:
            raise BackendUnavailable(
                f"backend did not answer within {self.timeout:g}s (GET {url})", code="timeout"
            ) from error
        except httpx.TransportError as error:
            raise BackendUnavailable(
                f"cannot reach backend at {self.base_url} ({type(error).__name__}: {error})",
                code="connection_error",
            ) from error
        except httpx.HTTPError as error:
            raise BackendError(f"HTTP error calling GET {url}: {error}") from error
        return self._handle(response, url)

    @staticmethod
    def _error_of(response: httpx.Response) -> tuple[str | None, str]:
        try:
            error = response.json()["error"]
            return str(error.get("code") or "") or None, str(error.get("message") or "")
        except Exception:
            return None, response.text[:200].strip()

    def _handle(self, response: httpx.Response, url: str) -> Any | None:
        status = response.status_code
        if status == 200:
            try:
                return response.json()
            except ValueError as error:
                raise BackendError(
                    f"backend sent invalid JSON for GET {url}", code="invalid_response", status=200
                ) from error
        code, message = self._error_of(response)
        if status == 404:
            if code == "route_not_found":
                raise BackendError(
                    f"backend has no route GET {url}: check ZHIKE_BACKEND_URL ({message})",
                    code=code,
                    status=status,
                )
            return None
        if status >= 500:
            raise BackendUnavailable(
                f"backend failed with HTTP {status} for GET {url}: {message or 'no details'}",
                code=code,
                status=status,
            )
        raise BackendError(
            message or f"backend refused GET {url} with HTTP {status}", code=code, status=status
        )

    @staticmethod
    def _segment(value: str, what: str) -> str:
        text = (value or "").strip()
        if not text:
            raise BackendError(f"empty {what}", code=f"invalid_{what}", status=None)
        return quote(text, safe="")

    async def get_order(self, order_id: str) -> Order | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        data = await self._get_json(f"/api/v1/orders/{self._segment(order_id, 'order_id')}")
        return None if data is None else order_from_json(data)

    async def get_logistics(self, order_id: str) -> Logistics | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        segment = self._segment(order_id, "order_id")
        data = await self._get_json(f"/api/v1/orders/{segment}/logistics")
        return None if data is None else logistics_from_json(data)

    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        segment = self._segment(customer_id, "customer_id")
        data = await self._get_json(f"/api/v1/customers/{segment}/orders")
        return None if data is None else orders_from_json(data)

    async def get_customer(self, customer_id: str) -> Customer | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        segment = self._segment(customer_id, "customer_id")
        data = await self._get_json(f"/api/v1/customers/{segment}")
        return None if data is None else customer_from_json(data)

    async def aclose(self) -> None:
        """Closes the connection pool (a later call would open a new one)."""
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            try:
                await client.aclose()
            except RuntimeError:  # opened on another, already closed event loop
                pass
