"""The WeCom (企业微信) application callback channel: ``/webhooks/wecom/``.

Routes: ``GET /health``; ``GET /webhook`` (callback URL verification: ``msg_signature``,
``timestamp``, ``nonce`` and an encrypted ``echostr``, answered with the decrypted
``echostr``); ``POST /webhook`` (encrypted message callbacks; WeCom always encrypts).
The receive id inside every message is the CorpID. The conversation id is
``wecom:<UserID>``; the message metadata carries an identity assertion that vouches
for the UserID (customer unknown, as for the 公众号). Passive replies are encrypted;
answers that miss the budget are sent with ``/cgi-bin/message/send`` (``agentid``).

Answers: as the 公众号 channel (:mod:`.mp`): 400 malformed or hostile XML and
undecryptable messages (the signature covers the encrypted body, so the outer XML is
parsed first -- with DTDs and entities forbidden), 403 a wrong signature, stale
timestamp, another CorpID or AgentID, a signed request seen before with another body
(:mod:`.replay`), 413 over 64 KiB, 503 while not configured.

``credentials.yml``::

    zhike.channels.wechat.wecom.WeComInput:
      token_env: ZHIKE_WECOM_TOKEN
      encoding_aes_key_env: ZHIKE_WECOM_ENCODING_AES_KEY
      corpid_env: ZHIKE_WECOM_CORPID
      corpsecret_env: ZHIKE_WECOM_SECRET
      agentid_env: ZHIKE_WECOM_AGENTID
      identity_secret_env: ZHIKE_IDENTITY_SECRET
      api_base_url_env: ZHIKE_WECOM_API_BASE_URL
      # replay_db_url_env: ZHIKE_REPLAY_DB_URL
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
from zhike.channels.wechat.api import DEFAULT_TIMEOUT, WECOM_API_BASE_URL, WeComApiClient
from zhike.channels.wechat.callback import (
    DEFAULT_REPLY_BUDGET,
    BadMessage,
    CallbackInput,
    common_options,
    error,
)
from zhike.channels.wechat.crypto import CryptoError, MessageCrypt
from zhike.channels.wechat.output import ApiOutputChannel
from zhike.channels.wechat.policy import DEFAULT_WELCOME_HINT, timestamp_fresh
from zhike.channels.wechat.turns import TurnCollector
from zhike.channels.wechat.xmlcodec import XmlError, build_xml, parse_message, text_reply
from zhike.lib.identity.assertion import MIN_SECRET_BYTES

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wecom"
DEFAULT_ENV = {
    "token": "ZHIKE_WECOM_TOKEN",
    "encoding_aes_key": "ZHIKE_WECOM_ENCODING_AES_KEY",
    "corpid": "ZHIKE_WECOM_CORPID",
    "corpsecret": "ZHIKE_WECOM_SECRET",
    "agentid": "ZHIKE_WECOM_AGENTID",
    "identity_secret": "ZHIKE_IDENTITY_SECRET",
    "api_base_url": "ZHIKE_WECOM_API_BASE_URL",
    "reply_budget": "ZHIKE_WECOM_REPLY_BUDGET",
    "replay_db_url": "ZHIKE_REPLAY_DB_URL",
}


class WeComOutput(ApiOutputChannel):
    """Sends to WeCom users through the application message API."""

    channel_name = CHANNEL_NAME


class WeComCollector(TurnCollector):
    """Collects one turn's answers to a WeCom callback."""

    channel_name = CHANNEL_NAME


class WeComInput(CallbackInput):
    """The WeCom application channel: encrypted callbacks of one self-built application.

    Args:
        token: the callback Token (接收消息 → API 接收 → Token).
        encoding_aes_key: the 43-character EncodingAESKey.
        corpid: the company's CorpID (checked inside every message).
        corpsecret: the application's Secret (for sending answers later).
        agentid: the application's AgentId; callbacks for another application are
            refused, and messages are sent as this application.
        identity_secret: signs the identity assertions (``ZHIKE_IDENTITY_SECRET``).
        api_base_url: the API's base URL (a fake server in tests).
        api_timeout: seconds per API request.
        reply_budget: seconds to wait for the bot before answering ``success``.
        menu: menu ``EventKey`` -> what the bot gets (``/query_order``).
        welcome_hint: added to the greeting of a user who subscribes.
        clock: unix time in seconds.
        replay_db_url: the replay cache's database (default ``ZHIKE_REPLAY_DB_URL``).
    """

    channel_name = CHANNEL_NAME
    output_class = WeComOutput
    collector_class = WeComCollector

    def __init__(
        self,
        token: str | None = None,
        encoding_aes_key: str | None = None,
        corpid: str | None = None,
        corpsecret: str | None = None,
        agentid: str | int | None = None,
        identity_secret: str | None = None,
        api_base_url: str | None = None,
        api_timeout: float = DEFAULT_TIMEOUT,
        reply_budget: float = DEFAULT_REPLY_BUDGET,
        menu: Mapping[str, str] | None = None,
        welcome_hint: str = DEFAULT_WELCOME_HINT,
        clock: Callable[[], float] = time.time,
        replay_db_url: str | None = None,
    ) -> None:
        problems = []
        for key, value in (("token", token), ("corpid", corpid)):
            if not value:
                problems.append(f"{key} ({DEFAULT_ENV[key]}) is not set")
        if len((identity_secret or "").encode("utf-8")) < MIN_SECRET_BYTES:
            problems.append(
                f"identity_secret (ZHIKE_IDENTITY_SECRET) is not set or shorter than "
                f"{MIN_SECRET_BYTES} bytes"
            )
        self._agentid: int | None = None
        if agentid not in (None, ""):
            try:
                self._agentid = int(str(agentid))
            except ValueError:
                problems.append("agentid (ZHIKE_WECOM_AGENTID) is not a number")
        self._crypt: MessageCrypt | None = None
        if not encoding_aes_key:
            problems.append("encoding_aes_key (ZHIKE_WECOM_ENCODING_AES_KEY) is not set")
        else:
            try:
                self._crypt = MessageCrypt(token or "", encoding_aes_key, corpid or "")
            except ValueError as exc:
                problems.append(f"encoding_aes_key (ZHIKE_WECOM_ENCODING_AES_KEY): {exc}")
        api = None
        if corpid and corpsecret and self._agentid is not None:
            base_url = api_base_url or WECOM_API_BASE_URL
            api = WeComApiClient(corpid, corpsecret, self._agentid, base_url, timeout=api_timeout)
        super().__init__(
            problems, api, identity_secret, reply_budget, menu, welcome_hint, clock, replay_db_url
        )

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> InputChannel:
        """Creates the channel from its ``credentials.yml`` entry (may be empty).

        Each of ``token``, ``encoding_aes_key``, ``corpid``, ``corpsecret``, ``agentid``,
        ``identity_secret``, ``api_base_url``, ``reply_budget`` and ``api_timeout`` is
        the value given, else the environment variable named by ``<key>_env`` (defaults:
        ``ZHIKE_WECOM_TOKEN`` … and ``ZHIKE_IDENTITY_SECRET``). ``menu`` and
        ``welcome_hint`` are values only.
        """
        credentials = credentials or {}

        def get(key: str) -> str | None:
            return setting(credentials, key, DEFAULT_ENV)

        return cls(
            token=get("token"),
            encoding_aes_key=get("encoding_aes_key"),
            corpid=get("corpid"),
            corpsecret=get("corpsecret"),
            agentid=get("agentid"),
            identity_secret=get("identity_secret"),
            api_base_url=get("api_base_url"),
            **common_options(credentials, DEFAULT_ENV),
        )

    def verify_url(self, request: Request) -> HTTPResponse:
        """The decrypted ``echostr`` when signature and timestamp are right."""
        result = self._open(request, request.args.get("echostr", ""))
        if isinstance(result, HTTPResponse):
            return result
        return response.text(result)

    def _open(self, request: Request, encrypted: str) -> str | HTTPResponse:
        """Checks signature and timestamp, then decrypts (403 / 400 answers on failure)."""
        assert self._crypt is not None  # configured
        args = request.args
        encrypted = encrypted.replace(" ", "+")  # a "+" the sender left unescaped in the URL
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not encrypted or not self._crypt.verify(
            args.get("msg_signature"), timestamp, nonce, encrypted
        ):
            logger.info("wecom: refused a request with a wrong signature.")
            return error(403, "bad_signature")
        if not timestamp_fresh(timestamp, self._clock()):
            logger.info("wecom: refused a request with a stale timestamp.")
            return error(403, "stale_timestamp")
        try:
            return self._crypt.decrypt(encrypted)
        except CryptoError as exc:
            logger.info("wecom: refused a callback: %s", exc.reason)
            return error(403 if exc.reason == "wrong_receive_id" else 400, exc.reason)

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Checks, decrypts and answers one WeCom callback."""
        started = time.monotonic()
        refused = self.refusal(request)
        if refused:
            return refused
        try:
            outer = parse_message(request.body)
            plaintext = self._open(request, outer.get("Encrypt", ""))
            if isinstance(plaintext, HTTPResponse):
                return plaintext
            args = request.args
            signed = (
                args.get("timestamp", ""),
                args.get("nonce", ""),
                args.get("msg_signature", ""),
            )
            refused = await self.replayed(tuple(s.strip().lower() for s in signed), request.body)
            if refused:
                return refused
            fields = parse_message(plaintext)
            agent = fields.get("AgentID", "").strip()
            if self._agentid is not None and agent and agent != str(self._agentid):
                logger.info("wecom: refused a callback for another application.")
                return error(403, "wrong_agent")
            reply = await self.handle(fields, on_new_message, started)
        except XmlError as exc:
            logger.info("wecom: refused a body: %s", exc)
            return error(400, f"xml_{exc.reason}")
        except BadMessage:
            return error(400, "incomplete_message")
        if reply is None:
            return response.text("success")
        assert self._crypt is not None
        now = str(int(self._clock()))
        xml = text_reply(fields["FromUserName"], fields.get("ToUserName", ""), int(now), reply)
        nonce = request.args.get("nonce") or secrets.token_hex(8)
        return response.text(
            build_xml(self._crypt.encrypt_reply(xml, now, nonce)), content_type="application/xml"
        )
