"""Async clients of the 公众号 and WeCom HTTP APIs: access tokens and sending messages.

Both APIs answer JSON with ``errcode`` (0 or absent on success) and ``errmsg``. An
access token is fetched on first use and cached until shortly before it expires
(``expires_in`` minus a margin, by default 5 minutes). When a call is refused because
the token is invalid or expired (40001, 40014, 42001: e.g. another server fetched a new
token, which invalidates ours), the token is fetched again and the call retried once;
every other error (45015 "the user has not written in the last 48 hours", 45047 "quota
of messages to this user used up", 40003 "unknown user" …) raises
:class:`WeChatApiError` at once and is never retried.

All I/O is ``httpx.AsyncClient`` with timeouts; nothing blocks the event loop. The base
URL is configurable so that tests (and staging) point the client at a fake server.
Access tokens and secrets never appear in logs or exception messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

logger = logging.getLogger(__name__)

MP_API_BASE_URL = "https://api.weixin.qq.com"
WECOM_API_BASE_URL = "https://qyapi.weixin.qq.com"
DEFAULT_TIMEOUT = 5.0
DEFAULT_TOKEN_MARGIN = 300.0

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
BUSY_ERRCODES = frozenset({-1})  # "系统繁忙，此时请开发者稍候再试"
ERRCODE_MEANINGS = {
    -1: "WeChat is busy (system error); try again later",
    40001: "invalid access token or AppSecret/corpsecret",
    40003: "unknown openid / UserID for this account",
    40013: "invalid AppID / corpid",
    40014: "invalid access token",
    40125: "invalid AppSecret",
    40164: "this server's IP address is not in the account's IP whitelist",
    42001: "access token expired",
    45015: "the user has not written to the account in the last 48 hours; "
    "customer-service messages are only allowed within that window",
    45047: "the quota of customer-service messages to this user is used up "
    "until the user writes again",
    48001: "this API is not authorised for the account",
    60020: "this server's IP address is not trusted by the WeCom application",
    81013: "the user is not in the application's visible range",
}


class WeChatApiError(Exception):
    """A failed API call.

    Attributes:
        errcode: WeChat's error code, or ``None`` for a transport failure (timeout,
            connection refused, HTTP error status, a body that is not JSON).
        errmsg: WeChat's message or a description of the transport failure.
        retryable: whether the same call may simply be repeated: WeChat was busy
            (errcode -1), the connection could not be made, or the server answered a 5xx.
            Not after a read timeout: WeChat may have sent the message already, and
            its message API has no idempotency key.
    """

    def __init__(self, errcode: int | None, errmsg: str, retryable: bool | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.retryable = errcode in BUSY_ERRCODES if retryable is None else retryable
        meaning = ERRCODE_MEANINGS.get(errcode) if errcode is not None else None
        text = f"errcode {errcode}: {errmsg}" if errcode is not None else errmsg
        super().__init__(f"{text} ({meaning})" if meaning else text)


class AccessTokenClient:
    """An API client with a cached access token; subclasses name the token endpoint.

    Args:
        base_url: scheme and host of the API, e.g. ``https://api.weixin.qq.com``.
        timeout: seconds per HTTP request (connect, read, write, pool).
        token_margin: a token counts as expired this many seconds before WeChat's
            ``expires_in`` says.
        clock: monotonic seconds (tests pass a fake clock).
    """

    token_path = ""

    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        token_margin: float = DEFAULT_TOKEN_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._margin = token_margin
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._client: httpx.AsyncClient | None = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def token_params(self) -> dict[str, str]:
        """The query of the token request (credentials)."""
        raise NotImplementedError

    def _bind_loop(self) -> tuple[httpx.AsyncClient, asyncio.Lock]:
        """The HTTP client and token lock of the running event loop (made on first use)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._lock is None or self._loop is not loop:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout)
            self._lock = asyncio.Lock()
            self._loop = loop
        return self._client, self._lock

    async def aclose(self) -> None:
        """Closes the HTTP connections (the client can still be used afterwards)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def access_token(self) -> str:
        """A valid access token: the cached one, or a fresh one when it has expired.

        Raises:
            WeChatApiError: the token could not be fetched.
        """
        _, lock = self._bind_loop()
        async with lock:  # one fetch at a time: each fetch invalidates the previous token
            if self._token is None or self._clock() >= self._expires_at:
                data = await self._request("GET", self.token_path, params=self.token_params())
                token = data.get("access_token")
                if not isinstance(token, str) or not token:
                    raise WeChatApiError(None, "the token response has no access_token")
                try:
                    expires_in = float(data.get("expires_in", 7200))
                except (TypeError, ValueError):
                    expires_in = 7200.0
                self._token = token
                self._expires_at = self._clock() + max(expires_in - self._margin, 0.0)
                logger.info("%s: new access token (valid %.0f s).", self.base_url, expires_in)
            return self._token

    def invalidate(self, token: str) -> None:
        """Forgets ``token`` if it is still the cached one (not a newer one)."""
        if self._token == token:
            self._token = None

    async def post(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POSTs ``payload`` as JSON with the access token; retried once on a token error.

        Raises:
            WeChatApiError: WeChat refused the call, or it could not be made.
        """
        token = await self.access_token()
        try:
            return await self._request("POST", path, {"access_token": token}, payload)
        except WeChatApiError as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
            logger.info("%s%s: token refused (%s); fetching a new one.", self.base_url, path, exc)
            self.invalidate(token)
        token = await self.access_token()
        return await self._request("POST", path, {"access_token": token}, payload)

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        payload: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        client, _ = self._bind_loop()
        try:
            response = await client.request(
                method,
                path,
                params=dict(params),
                # ensure_ascii=False: WeChat shows \uXXXX escapes literally in some messages
                content=None if payload is None else _json_bytes(payload),
                headers=None if payload is None else {"Content-Type": "application/json"},
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # nothing was sent
            raise WeChatApiError(
                None, f"{method} {path} failed: {type(exc).__name__}", retryable=True
            ) from exc
        except httpx.TimeoutException as exc:
            raise WeChatApiError(None, f"{method} {path} timed out") from exc
        except httpx.HTTPError as exc:
            raise WeChatApiError(None, f"{method} {path} failed: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise WeChatApiError(
                None,
                f"{method} {path} answered HTTP {response.status_code}",
                retryable=response.status_code >= 500,
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise WeChatApiError(None, f"{method} {path} answered no JSON") from exc
        if not isinstance(data, dict):
            raise WeChatApiError(None, f"{method} {path} answered no JSON object")
        errcode = data.get("errcode", 0)
        if errcode not in (0, None):
            raise WeChatApiError(_int(errcode), str(data.get("errmsg", "")))
        return data


class MpApiClient(AccessTokenClient):
    """The 公众号 API: ``/cgi-bin/token`` and customer-service messages.

    Args:
        appid: the official account's AppID.
        appsecret: its AppSecret.
        base_url: default ``https://api.weixin.qq.com``.
        **kwargs: ``timeout``, ``token_margin``, ``clock`` of :class:`AccessTokenClient`.
    """

    token_path = "/cgi-bin/token"

    def __init__(
        self, appid: str, appsecret: str, base_url: str = MP_API_BASE_URL, **kwargs: Any
    ) -> None:
        super().__init__(base_url, **kwargs)
        self._appid = appid
        self._appsecret = appsecret

    def token_params(self) -> dict[str, str]:
        """``grant_type=client_credential&appid=…&secret=…``."""
        return {"grant_type": "client_credential", "appid": self._appid, "secret": self._appsecret}

    async def send(self, user: str, message: Mapping[str, Any]) -> None:
        """Sends a customer-service message (``msgtype`` and its body) to the openid ``user``."""
        await self.post("/cgi-bin/message/custom/send", {**message, "touser": user})

    async def send_text(self, user: str, text: str) -> None:
        """Sends a customer-service text message to the openid ``user``."""
        await self.send(user, {"msgtype": "text", "text": {"content": text}})


class WeComApiClient(AccessTokenClient):
    """The WeCom application API: ``/cgi-bin/gettoken`` and ``/cgi-bin/message/send``.

    Args:
        corpid: the company's CorpID.
        corpsecret: the application's Secret.
        agentid: the application's AgentId.
        base_url: default ``https://qyapi.weixin.qq.com``.
        **kwargs: ``timeout``, ``token_margin``, ``clock`` of :class:`AccessTokenClient`.
    """

    token_path = "/cgi-bin/gettoken"

    def __init__(
        self,
        corpid: str,
        corpsecret: str,
        agentid: int,
        base_url: str = WECOM_API_BASE_URL,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url, **kwargs)
        self._corpid = corpid
        self._corpsecret = corpsecret
        self.agentid = agentid

    def token_params(self) -> dict[str, str]:
        """``corpid=…&corpsecret=…``."""
        return {"corpid": self._corpid, "corpsecret": self._corpsecret}

    async def send(self, user: str, message: Mapping[str, Any]) -> None:
        """Sends an application message (``msgtype`` and its body) to the UserID ``user``."""
        await self.post(
            "/cgi-bin/message/send", {**message, "touser": user, "agentid": self.agentid}
        )

    async def send_text(self, user: str, text: str) -> None:
        """Sends an application text message to the UserID ``user``."""
        await self.send(user, {"msgtype": "text", "text": {"content": text}})


def _json_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
