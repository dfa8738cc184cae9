"""HTTP transport of the backend client: connection pool, timeouts, circuit breaker.

Maps answers to the client contract: 2xx -> JSON, 404 -> ``None`` (reads) or
``BackendError("not_found")`` (writes), 429 -> :class:`BackendRateLimited` (with
``Retry-After``), other 4xx -> :class:`BackendError` with the server's code,
5xx/timeouts/connection errors -> :class:`BackendUnavailable`.
"""

from __future__ import annotations

import asyncio
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from zhike.lib.backend_client.errors import BackendError, BackendRateLimited, BackendUnavailable

API_KEY_HEADER = "X-Api-Key"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds of a ``Retry-After`` header (delta-seconds or an HTTP date), else ``None``."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


class HttpTransport:
    """JSON requests to one base URL within ``timeout`` seconds each.

    One ``httpx.AsyncClient`` (connection pool) is reused for all calls made from the same
    event loop; it is opened lazily, so constructing this object does no I/O. After a
    timeout or connection error the circuit opens for ``cooldown`` seconds: calls fail at
    once (code ``circuit_open``), so one conversation turn never waits for several
    timeouts in a row. 5xx answers do not open it (the server is up).

    Args:
        base_url: e.g. ``http://127.0.0.1:5080``.
        api_key: shared secret sent as ``X-Api-Key``; ``None`` sends none.
        timeout: seconds for the whole call (connect, send, wait for and read the answer).
        transport: optional httpx transport (tests, custom TLS or retries).
        trust_env: honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` and friends.
        cooldown: seconds the circuit stays open.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 2.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = False,
        cooldown: float = 5.0,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.cooldown = float(cooldown)
        self._headers = {"Accept": "application/json", "User-Agent": "zhike-backend-client/1"}
        if api_key:
            self._headers[API_KEY_HEADER] = api_key
        self._transport = transport
        self._trust_env = trust_env
        self._open_until = 0.0
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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

    async def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        none_on_404: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Any | None:
        """Sends one request; returns the JSON body (or None for a 404 when allowed).

        Raises per the class contract. Writes are never retried here: a timed-out write
        may have been applied, so callers that need safety send an idempotency key.
        """
        what = f"{method} {self.base_url}{path}"
        if time.monotonic() < self._open_until:
            raise BackendUnavailable(
                f"backend unreachable moments ago; not retried before the cool-down ({what})",
                code="circuit_open",
            )
        try:
            response = await asyncio.wait_for(
                self._http().request(method, path, json=body, headers=headers),
                timeout=self.timeout,
            )
        except (asyncio.TimeoutError, httpx.TimeoutException) as error:
            self._trip()
            raise BackendUnavailable(
                f"backend did not answer within {self.timeout:g}s ({what})", code="timeout"
            ) from error
        except httpx.TransportError as error:
            self._trip()
            raise BackendUnavailable(
                f"cannot reach backend at {self.base_url} ({type(error).__name__}: {error})",
                code="connection_error",
            ) from error
        except httpx.HTTPError as error:
            raise BackendError(f"HTTP error calling {what}: {error}") from error
        return self._handle(response, what, none_on_404)

    def _trip(self) -> None:
        """Opens the circuit: calls fail at once until the cool-down is over."""
        self._open_until = time.monotonic() + self.cooldown

    @staticmethod
    def _error_of(response: httpx.Response) -> tuple[str | None, str]:
        try:
            error = response.json()["error"]
            return str(error.get("code") or "") or None, str(error.get("message") or "")
        except Exception:
            return None, response.text[:200].strip()

    def _handle(self, response: httpx.Response, what: str, none_on_404: bool) -> Any | None:
        status = response.status_code
        if status in (200, 201, 202):
            try:
                return response.json()
            except ValueError as error:
                raise BackendError(
                    f"backend sent invalid JSON for {what}", code="invalid_response", status=status
                ) from error
        code, message = self._error_of(response)
        if status == 404 and code == "route_not_found":
            raise BackendError(
                f"backend has no route {what}: check ZHIKE_BACKEND_URL ({message})",
                code=code,
                status=status,
            )
        if status == 404 and none_on_404:
            return None
        if status == 404:
            raise BackendError(message or f"not found: {what}", code="not_found", status=status)
        if status == 429:
            raise BackendRateLimited(
                message or f"backend rate-limited {what}",
                code=code,
                status=status,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise BackendUnavailable(
                f"backend failed with HTTP {status} for {what}: {message or 'no details'}",
                code=code,
                status=status,
            )
        raise BackendError(
            message or f"backend refused {what} with HTTP {status}", code=code, status=status
        )

    async def aclose(self) -> None:
        """Closes the connection pool (a later call would open a new one)."""
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            try:
                await client.aclose()
            except RuntimeError:  # opened on another, already closed event loop
                pass
