"""The web chat widget's channel: Rasa's socket.io protocol, the widget, and who is chatting.

:class:`WebChatInput` is Rasa's socket.io channel (same protocol, same input channel name
``socketio``: ``session_request``/``session_confirm``, ``user_uttered``/``bot_uttered``)
with four additions:

- routes under ``/webhooks/socketio``: ``GET /chat`` (a full-window chat page),
  ``GET /widget.js`` (the one script a company site embeds), ``GET /widget.css`` and
  ``GET /health``; the files are read from ``zhike/web/static/`` on request;
- an identity assertion (:mod:`zhike.identity.assertion`) for customers whose company site
  passed a signed login token (HS256 JWT, ``sub`` = customer id, secret
  ``ZHIKE_WEB_LOGIN_SECRET``) in the message metadata (``customData.login_token``);
- nothing a browser sends can claim an identity: a client's ``zhike_identity`` is dropped,
  and a missing, expired or forged token leaves the message anonymous (it is still
  handled; a warning without personal data is logged). The token itself is removed from
  the metadata, so it is never stored in the tracker store;
- catch-up (:mod:`zhike.channels.web_sync`): every bot message carries a stable key, and
  a ``zhike_sync`` request answers the bot messages of the socket's own session the
  widget has not seen (read from the tracker store), so a reply sent while the widget
  was disconnected is shown after the reconnect.

``credentials.yml`` (replaces the plain ``socketio:`` entry)::

    zhike.channels.web.WebChatInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true                    # the widget needs it
      metadata_key: customData
      login_secret_env: ZHIKE_WEB_LOGIN_SECRET     # names of environment variables,
      identity_secret_env: ZHIKE_IDENTITY_SECRET   # read once when Rasa starts
      # login_audience: zhike-web                  # optional: required ``aud`` claim
      # login_issuer: shop.example.com             # optional: required ``iss`` claim

Without both secrets (32+ bytes each) every chat is anonymous and the rest works.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels.settings import secret_problems, setting
from zhike.channels.web_sync import WebChatOutput, missed_messages, parse_after
from zhike.identity import assertion
from zhike.identity.tokens import DEFAULT_LEEWAY, TokenError, verify_login_token
from zhike.web import assets

logger = logging.getLogger(__name__)

CHANNEL_NAME = "socketio"
LOGIN_TOKEN_KEY = "login_token"
DEFAULT_METADATA_KEY = "customData"
DEFAULT_SECRET_ENV = {
    "login_secret": "ZHIKE_WEB_LOGIN_SECRET",
    "identity_secret": "ZHIKE_IDENTITY_SECRET",
}
SYNC_EVENT = "zhike_sync"
_SENDER_KEY = "sender_id"
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel serving zhike's chat widget and binding logged-in customers.

    Args:
        user_message_evt: socket.io event of user messages.
        bot_message_evt: socket.io event of bot messages.
        namespace: socket.io namespace (``None``: the default one).
        session_persistence: keep one conversation per widget session across
            reconnects (the widget relies on it).
        socketio_path: the socket.io path on the server.
        jwt_key: Rasa's optional socket.io connection token key (not used by the widget).
        jwt_method: its algorithm.
        metadata_key: key of the message metadata in a ``user_uttered`` event.
        login_secret: HS256 secret of the company site's login tokens.
        identity_secret: secret identity assertions are signed with (the action server
            verifies them with the same secret).
        login_audience: when set, login tokens must name this audience (``aud``).
        login_issuer: when set, login tokens must come from this issuer (``iss``).
        leeway: tolerated clock skew in seconds for the token's time claims.
        clock: current unix time in seconds (tests pass a fixed clock).
    """

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        session_persistence: bool = True,
        socketio_path: str = "/socket.io",
        jwt_key: str | None = None,
        jwt_method: str = "HS256",
        metadata_key: str = DEFAULT_METADATA_KEY,
        login_secret: str | None = None,
        identity_secret: str | None = None,
        login_audience: str | None = None,
        login_issuer: str | None = None,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            session_persistence,
            socketio_path,
            jwt_key,
            jwt_method,
            metadata_key,
        )
        self._login_secret = login_secret or ""
        self._identity_secret = identity_secret or ""
        self._login_audience = login_audience or None
        self._login_issuer = login_issuer or None
        self._leeway = leeway
        self._clock = clock
        self._problems = secret_problems(
            {"login_secret": self._login_secret, "identity_secret": self._identity_secret},
            DEFAULT_SECRET_ENV,
        )
        self._warned_unconfigured = False
        self._app: Sanic | None = None
        if not session_persistence:
            logger.warning(
                "web chat: session_persistence is off; the widget's history and "
                "reconnects need it on."
            )
        if self._problems:
            logger.info(
                "web chat login tokens are not accepted (%s): every web chat is anonymous "
                "until the customer binds an account.",
                "; ".join(self._problems),
            )

    @classmethod
    def name(cls) -> str:
        """The channel name: URL prefix ``/webhooks/socketio`` and ``input_channel``."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> InputChannel:
        """Creates the channel from its ``credentials.yml`` entry (may be empty).

        The socket.io keys are Rasa's (``user_message_evt``, ``bot_message_evt``,
        ``namespace``, ``session_persistence``, ``socketio_path``, ``jwt_key``,
        ``jwt_method``, ``metadata_key``). Each secret is the value of ``<key>`` or else of
        the environment variable named by ``<key>_env`` (default
        ``ZHIKE_WEB_LOGIN_SECRET`` and ``ZHIKE_IDENTITY_SECRET``), read here, once.
        """
        credentials = credentials or {}
        secrets = {key: setting(credentials, key, DEFAULT_SECRET_ENV) for key in DEFAULT_SECRET_ENV}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=bool(credentials.get("session_persistence", True)),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", DEFAULT_METADATA_KEY),
            login_secret=secrets["login_secret"],
            identity_secret=secrets["identity_secret"],
            login_audience=credentials.get("login_audience"),
            login_issuer=credentials.get("login_issuer"),
        )

    @property
    def login_configured(self) -> bool:
        """Whether login tokens can be verified and identities signed."""
        return not self._problems

    def client_settings(self) -> dict[str, Any]:
        """What the widget must know about this server (put into ``widget.js``)."""
        return {
            "socketPath": self.socketio_path,
            "namespace": self.namespace,
            "userEvent": self.user_message_evt,
            "botEvent": self.bot_message_evt,
            "metadataKey": self.metadata_key,
            "loginTokenKey": LOGIN_TOKEN_KEY,
        }

    def bind_identity(self, message: UserMessage) -> UserMessage:
        """Replaces whatever identity the client claimed by what its login token proves.

        Drops ``zhike_identity`` and ``login_token`` from the metadata; when the token was
        valid, puts a signed assertion for its customer and this conversation instead.
        """
        metadata = dict(message.metadata) if isinstance(message.metadata, Mapping) else {}
        if metadata.pop(assertion.METADATA_KEY, None) is not None:
            logger.warning("web chat: dropped an identity assertion sent by a client.")
        token = metadata.pop(LOGIN_TOKEN_KEY, None)
        if token is not None and token != "":
            customer_id = self._customer_of(token)
            if customer_id is not None and message.sender_id:
                now = int(self._clock())
                metadata[assertion.METADATA_KEY] = assertion.sign(
                    customer_id, CHANNEL_NAME, message.sender_id, now, self._identity_secret
                )
        message.metadata = metadata
        return message

    def _customer_of(self, token: object) -> str | None:
        """The customer a login token names, ``None`` (and a warning) when it is not valid."""
        if not self.login_configured:
            log = logger.debug if self._warned_unconfigured else logger.warning
            self._warned_unconfigured = True
            log(
                "web chat: a login token was sent, but login is not configured (%s); the "
                "message is handled anonymously.",
                "; ".join(self._problems),
            )
            return None
        if not isinstance(token, str):
            logger.warning("web chat: login token refused (not a string); handled anonymously.")
            return None
        try:
            verified = verify_login_token(
                token,
                self._login_secret,
                self._clock(),
                leeway=self._leeway,
                audience=self._login_audience,
                issuer=self._login_issuer,
            )
        except TokenError as exc:
            logger.warning("web chat: login token refused (%s); handled anonymously.", exc.code)
            return None
        return verified.customer_id

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel of ``output_channel=latest`` (Rasa's HTTP API): keyed messages."""
        if self.sio is None:
            return super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint with identity binding, catch-up and the widget's routes."""

        async def handle(message: UserMessage) -> None:
            await on_new_message(self.bind_identity(message))

        webhook = super().blueprint(handle)
        self._replace_session_request()
        self._replace_user_message(handle)
        self._register_sync()

        @webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            self._app = app  # Rasa puts its agent into app.ctx.agent

        @webhook.route("/health", methods=["GET"], name="zhike_web_health")
        async def health(request: Request) -> HTTPResponse:
            login = "configured" if self.login_configured else "not_configured"
            return response.json({"status": "ok", "login": login})

        @webhook.route("/chat", methods=["GET"], strict_slashes=True, name="zhike_web_page")
        async def page(request: Request) -> HTTPResponse:
            return _serve(assets.page(), {"Content-Security-Policy": assets.PAGE_CSP})

        @webhook.route("/widget.js", methods=["GET"], name="zhike_web_script")
        async def script(request: Request) -> HTTPResponse:
            return _serve(assets.widget_script(self.client_settings()))

        @webhook.route("/widget.css", methods=["GET"], name="zhike_web_stylesheet")
        async def stylesheet(request: Request) -> HTTPResponse:
            return _serve(assets.stylesheet())

        return webhook

    def _replace_session_request(self) -> None:
        """Registers a ``session_request`` handler that really joins the session's room.

        Rasa 3.6's handler calls python-socketio's ``enter_room`` without ``await``; since
        python-socketio 5.10 that is a coroutine, so the socket never joins the session's
        room and the bot's replies (sent to the room) reach nobody. The socket's sender id
        is kept in its socket.io session: ``zhike_sync`` answers for it only.
        """
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint
        namespace = self.namespace

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = _session_id(data)
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            sender_id = session_id if self.session_persistence else sid
            await sio.save_session(sid, {_SENDER_KEY: sender_id}, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

    def _replace_user_message(self, handle: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Registers Rasa's user message handler again, answering through :class:`WebChatOutput`."""
        sio = self.sio
        assert sio is not None
        namespace = self.namespace

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            message = self._user_message(sid, data)
            if message is not None:
                await handle(message)

    def _user_message(self, sid: str, data: Any) -> UserMessage | None:
        """A ``user_uttered`` event as Rasa's channel reads it (``None``: ignored)."""
        assert self.sio is not None
        if not isinstance(data, Mapping):
            return None
        if self.session_persistence:
            sender_id = data.get("session_id")
            if not sender_id:
                logger.warning("web chat: a message without a session_id was ignored.")
                return None
        else:
            sender_id = sid
        metadata = data.get(self.metadata_key, {})
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                logger.warning("web chat: metadata that is not JSON was ignored.")
                metadata = {}
        if not isinstance(metadata, Mapping):
            metadata = {}
        return UserMessage(
            data.get("message", ""),
            WebChatOutput(self.sio, self.bot_message_evt, self.namespace),
            sender_id,
            input_channel=self.name(),
            metadata=metadata,
        )

    def _register_sync(self) -> None:
        """Registers ``zhike_sync``: the socket's session's bot messages since ``after``."""
        sio = self.sio
        assert sio is not None
        namespace = self.namespace

        @sio.on(SYNC_EVENT, namespace=namespace)
        async def sync(sid: str, data: Any = None) -> dict[str, Any]:
            session = await sio.get_session(sid, namespace=namespace)
            sender_id = session.get(_SENDER_KEY) if isinstance(session, Mapping) else None
            if not isinstance(sender_id, str):
                return {"messages": []}  # no session_request yet
            tracker = await self._web_tracker(sender_id)
            return {"messages": await missed_messages(tracker, parse_after(data))}

    async def _web_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation of ``sender_id`` when it is a web chat (else, or on errors, none).

        A conversation whose latest message came from another channel is not this
        channel's to show (a session id can be any client-chosen string).
        """
        agent = getattr(self._app.ctx, "agent", None) if self._app is not None else None
        if agent is None:
            return None
        try:
            tracker = await agent.tracker_store.retrieve_full_tracker(sender_id)
        except Exception:  # the tracker store is down: nothing to catch up with now
            logger.warning("web chat: catch-up failed to read the tracker store.", exc_info=True)
            return None
        if tracker is None or tracker.get_latest_input_channel() != CHANNEL_NAME:
            return None
        return tracker


def _session_id(data: Any) -> str:
    """The session the client asks to continue, or a new one when it names none (or junk)."""
    requested = data.get("session_id") if isinstance(data, Mapping) else None
    if isinstance(requested, str) and _SESSION_ID.fullmatch(requested):
        return requested
    return uuid.uuid4().hex


def _serve(asset: assets.Asset, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    return response.raw(
        asset.body,
        content_type=asset.content_type,
        headers={**_COMMON_HEADERS, **(headers or {})},
    )
