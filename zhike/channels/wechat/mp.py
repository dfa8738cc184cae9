"""The WeChat official account (公众号) channel: ``/webhooks/wechat/``.

Routes: ``GET /health``; ``GET /webhook`` (WeChat's URL verification: ``signature``,
``timestamp``, ``nonce``, ``echostr`` -> ``echostr``); ``POST /webhook`` (message
callbacks in safe mode; plaintext and compatible mode in development only). The
conversation id is
``wechat:<openid>``; the message metadata carries an identity assertion that vouches for
the openid (customer unknown: a binding made by phone + one-time code finds the customer).

Answers: 200 with a passive reply (encrypted when the callback was) or ``success``;
400 malformed or hostile XML (DTD, entities: XXE, billion laughs), undecryptable or
incomplete messages; 403 a wrong or missing signature, a timestamp more than 5 minutes
off, a plaintext callback in safe mode, a message for another appid; 413 a body over
64 KiB; 503 while not configured. A signed request seen before with another body gets
403 (:mod:`.replay`). See ``docs/channels/wechat.md``.

In production (``ZHIKE_ENV`` is not ``development``) a configured channel refuses to
start in plaintext or compatible mode: there the ``signature`` covers only token,
timestamp and nonce, not the message, so one captured callback URL could carry a forged
sender; only safe mode (AES, ``msg_signature`` over the encrypted message) authenticates it.

``credentials.yml`` (values are names of environment variables, read once at start)::

    zhike.channels.wechat.mp.WeChatInput:
      token_env: ZHIKE_WECHAT_TOKEN
      appid_env: ZHIKE_WECHAT_APPID
      appsecret_env: ZHIKE_WECHAT_APPSECRET
      encoding_aes_key_env: ZHIKE_WECHAT_ENCODING_AES_KEY
      identity_secret_env: ZHIKE_IDENTITY_SECRET
      api_base_url_env: ZHIKE_WECHAT_API_BASE_URL
      # mode: safe            # plaintext | compatible | safe (default: safe with a key)
      # reply_budget: 4.0     # seconds to wait for a passive reply
      # replay_db_url_env: ZHIKE_REPLAY_DB_URL
      menu:
        ORDER_STATUS: /query_order
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels.settings import setting
from zhike.channels.wechat.api import DEFAULT_TIMEOUT, MP_API_BASE_URL, MpApiClient
from zhike.channels.wechat.callback import (
    DEFAULT_REPLY_BUDGET,
    BadMessage,
    CallbackInput,
    common_options,
    error,
)
from zhike.channels.wechat.crypto import CryptoError, MessageCrypt, signature, signature_matches
from zhike.channels.wechat.output import ApiOutputChannel
from zhike.channels.wechat.policy import DEFAULT_WELCOME_HINT, timestamp_fresh
from zhike.channels.wechat.turns import TurnCollector
from zhike.channels.wechat.xmlcodec import XmlError, build_xml, parse_message, text_reply
from zhike.common.deployment import ENV_VAR, ConfigurationError, is_development
from zhike.lib.identity.assertion import MIN_SECRET_BYTES

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wechat"
MODES = ("plaintext", "compatible", "safe")
DEFAULT_ENV = {
    "token": "ZHIKE_WECHAT_TOKEN",
    "appid": "ZHIKE_WECHAT_APPID",
    "appsecret": "ZHIKE_WECHAT_APPSECRET",
    "encoding_aes_key": "ZHIKE_WECHAT_ENCODING_AES_KEY",
    "identity_secret": "ZHIKE_IDENTITY_SECRET",
    "api_base_url": "ZHIKE_WECHAT_API_BASE_URL",
    "mode": "ZHIKE_WECHAT_MODE",
    "reply_budget": "ZHIKE_WECHAT_REPLY_BUDGET",
    "replay_db_url": "ZHIKE_REPLAY_DB_URL",
}


class WeChatOutput(ApiOutputChannel):
    """Sends to 公众号 users through the customer-service message API (48-hour window)."""

    channel_name = CHANNEL_NAME


class WeChatCollector(TurnCollector):
    """Collects one turn's answers to a 公众号 callback."""

    channel_name = CHANNEL_NAME


class WeChatInput(CallbackInput):
    """The 公众号 channel: callbacks verified with the Token, optionally AES-encrypted.

    Args:
        token: the Token of the 公众号's server configuration (服务器配置).
        appid: the AppID (checked inside every encrypted message).
        appsecret: the AppSecret; without it answers that miss the passive-reply budget
            cannot be sent.
        encoding_aes_key: the 43-character EncodingAESKey (compatible and safe mode).
        identity_secret: signs the identity assertions (``ZHIKE_IDENTITY_SECRET``).
        mode: ``plaintext``, ``compatible`` or ``safe`` (plaintext callbacks refused);
            default ``safe`` when an EncodingAESKey is set, else ``plaintext``; only
            ``safe`` in production.
        api_base_url: the API's base URL (a fake server in tests).
        api_timeout: seconds per API request.
        reply_budget: seconds to wait for the bot before answering ``success``.
        menu: menu ``EventKey`` -> what the bot gets (``/query_order``).
        welcome_hint: added to the greeting of a new subscriber.
        clock: unix time in seconds.
        replay_db_url: the replay cache's database (default ``ZHIKE_REPLAY_DB_URL``).

    Raises:
        ConfigurationError: a token is set, the mode is plaintext or compatible, and this
            is not a development deployment.
    """

    channel_name = CHANNEL_NAME
    output_class = WeChatOutput
    collector_class = WeChatCollector

    def __init__(
        self,
        token: str | None = None,
        appid: str | None = None,
        appsecret: str | None = None,
        encoding_aes_key: str | None = None,
        identity_secret: str | None = None,
        mode: str | None = None,
        api_base_url: str | None = None,
        api_timeout: float = DEFAULT_TIMEOUT,
        reply_budget: float = DEFAULT_REPLY_BUDGET,
        menu: Mapping[str, str] | None = None,
        welcome_hint: str = DEFAULT_WELCOME_HINT,
        clock: Callable[[], float] = time.time,
        replay_db_url: str | None = None,
    ) -> None:
        self._token = token or ""
        self._mode = (mode or ("safe" if encoding_aes_key else "plaintext")).strip().lower()
        if self._token and self._mode in ("plaintext", "compatible") and not is_development():
            raise ConfigurationError(
                f"refusing to start the 公众号 channel (wechat) in {self._mode} mode in "
                "production: its signature does not cover the message, so a captured "
                "callback URL could carry a forged sender. Set ZHIKE_WECHAT_MODE=safe and "
                "ZHIKE_WECHAT_ENCODING_AES_KEY to the EncodingAESKey of 服务器配置 "
                f"(消息加解密方式: 安全模式), or {ENV_VAR}=development on a developer machine."
            )
        problems = []
        if not self._token:
            problems.append("token (ZHIKE_WECHAT_TOKEN) is not set")
        if not appid:
            problems.append("appid (ZHIKE_WECHAT_APPID) is not set")
        if len((identity_secret or "").encode("utf-8")) < MIN_SECRET_BYTES:
            problems.append(
                f"identity_secret (ZHIKE_IDENTITY_SECRET) is not set or shorter than "
                f"{MIN_SECRET_BYTES} bytes"
            )
        if self._mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)}")
        self._crypt: MessageCrypt | None = None
        if encoding_aes_key:
            try:
                self._crypt = MessageCrypt(self._token, encoding_aes_key, appid or "")
            except ValueError as exc:
                problems.append(f"encoding_aes_key (ZHIKE_WECHAT_ENCODING_AES_KEY): {exc}")
        elif self._mode != "plaintext":
            problems.append(
                f"{self._mode} mode needs encoding_aes_key (ZHIKE_WECHAT_ENCODING_AES_KEY)"
            )
        api = None
        if appid and appsecret:
            api = MpApiClient(
                appid, appsecret, api_base_url or MP_API_BASE_URL, timeout=api_timeout
            )
        super().__init__(
            problems, api, identity_secret, reply_budget, menu, welcome_hint, clock, replay_db_url
        )

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> InputChannel:
        """Creates the channel from its ``credentials.yml`` entry (may be empty).

        Each of ``token``, ``appid``, ``appsecret``, ``encoding_aes_key``,
        ``identity_secret``, ``api_base_url``, ``mode``, ``reply_budget`` and
        ``api_timeout`` is the value given, else the environment variable named by
        ``<key>_env`` (defaults: ``ZHIKE_WECHAT_TOKEN`` … and ``ZHIKE_IDENTITY_SECRET``).
        ``menu`` and ``welcome_hint`` are values only.
        """
        credentials = credentials or {}

        def get(key: str) -> str | None:
            return setting(credentials, key, DEFAULT_ENV)

        return cls(
            token=get("token"),
            appid=get("appid"),
            appsecret=get("appsecret"),
            encoding_aes_key=get("encoding_aes_key"),
            identity_secret=get("identity_secret"),
            mode=get("mode"),
            api_base_url=get("api_base_url"),
            **common_options(credentials, DEFAULT_ENV),
        )

    def verify_url(self, request: Request) -> HTTPResponse:
        """``echostr`` back when the signature is right (403 otherwise)."""
        return self._check_signature(request) or response.text(request.args.get("echostr", ""))

    def _check_signature(self, request: Request) -> HTTPResponse | None:
        """403 unless ``signature`` is right and ``timestamp`` within 5 minutes."""
        args = request.args
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        expected = signature(self._token, timestamp, nonce)
        if not signature_matches(expected, args.get("signature")):
            logger.info("wechat: refused a request with a wrong signature.")
            return error(403, "bad_signature")
        if not timestamp_fresh(timestamp, self._clock()):
            logger.info("wechat: refused a request with a stale timestamp.")
            return error(403, "stale_timestamp")
        return None

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Checks, decrypts (safe mode) and answers one 公众号 callback."""
        started = time.monotonic()
        refused = self.refusal(request) or self._check_signature(request)
        if refused:
            return refused
        args = request.args
        signed = (args.get("timestamp", ""), args.get("nonce", ""), args.get("signature", ""))
        refused = await self.replayed(tuple(s.strip().lower() for s in signed), request.body)
        if refused:
            return refused
        encrypted = request.args.get("encrypt_type", "raw").lower() == "aes"
        try:
            if encrypted:
                fields = self._decrypt(request)
                if isinstance(fields, HTTPResponse):
                    return fields
            elif self._mode == "safe":
                logger.info("wechat: refused a plaintext callback in safe mode.")
                return error(403, "plaintext_refused")
            else:
                fields = parse_message(request.body)
            reply = await self.handle(fields, on_new_message, started)
        except XmlError as exc:
            logger.info("wechat: refused a body: %s", exc)
            return error(400, f"xml_{exc.reason}")
        except BadMessage:
            return error(400, "incomplete_message")
        if reply is None:
            return response.text("success")
        now = int(self._clock())
        xml = text_reply(fields["FromUserName"], fields.get("ToUserName", ""), now, reply)
        if encrypted and self._crypt is not None:
            nonce = request.args.get("nonce") or secrets.token_hex(8)
            xml = build_xml(self._crypt.encrypt_reply(xml, str(now), nonce))
        return response.text(xml, content_type="application/xml")

    def _decrypt(self, request: Request) -> dict[str, str] | HTTPResponse:
        if self._crypt is None:
            return error(400, "no_encoding_aes_key")
        outer = parse_message(request.body)
        encrypted = outer.get("Encrypt", "")
        args = request.args
        if not encrypted:
            return error(400, "no_encrypt")
        if not self._crypt.verify(
            args.get("msg_signature"), args.get("timestamp", ""), args.get("nonce", ""), encrypted
        ):
            logger.info("wechat: refused a callback with a wrong msg_signature.")
            return error(403, "bad_signature")
        try:
            return parse_message(self._crypt.decrypt(encrypted))
        except CryptoError as exc:
            logger.info("wechat: refused a callback: %s", exc.reason)
            status = 403 if exc.reason == "wrong_receive_id" else 400
            return error(status, exc.reason)
