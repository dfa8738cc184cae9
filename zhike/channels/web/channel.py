"""The web chat widget's channel: Rasa's socket.io protocol, the widget, and who is chatting.

:class:`WebChatInput` is Rasa's socket.io channel (same protocol, same input channel name
``socketio``: ``session_request``/``session_confirm``, ``user_uttered``/``bot_uttered``)
with these additions:

- routes under ``/webhooks/socketio``: ``GET /chat`` (a full-window chat page),
  ``GET /widget.js`` (the one script a company site embeds), ``GET /widget.css`` and
  ``GET /health``; the files are read from ``zhike/channels/web/static/`` on request;
- the conversation is the socket's server-assigned web session
  (:mod:`zhike.channels.web.session`), never a client's ``session_id``: a client
  continues a session only with the ``session_token`` the server gave it, and the
  session changes when the site's logged-in customer does;
- an identity assertion (:mod:`zhike.lib.identity.assertion`) for customers whose company site
  passed a signed login token (HS256 JWT, ``sub`` = customer id, secret
  ``ZHIKE_WEB_LOGIN_SECRET``) in the message metadata (``customData.login_token``); a
  client's ``zhike_identity`` is dropped (:mod:`zhike.channels.web.login`);
- a text longer than :data:`~zhike.channels.limits.MAX_USER_TEXT` is cut before NLU with
  a polite notice, and each message passes the process-wide admission gate
  (:mod:`zhike.channels.admission`): when the server is saturated the customer is told,
  politely, to send it again shortly (:data:`~zhike.channels.admission.BUSY_NOTICE`);
- catch-up (:mod:`zhike.channels.web.sync`): every bot message carries a stable key, and
  a ``zhike_sync`` request answers the bot messages of the socket's own session the
  widget has not seen (read from the tracker store).

``credentials.yml`` (replaces the plain ``socketio:`` entry)::

    zhike.channels.web.WebChatInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true                    # the widget needs it
      metadata_key: customData
      login_secret_env: ZHIKE_WEB_LOGIN_SECRET     # names of environment variables,
      identity_secret_env: ZHIKE_IDENTITY_SECRET   # read once when Rasa starts
      session_secret_env: ZHIKE_WEB_SESSION_SECRET # optional (see web_session)
      # login_audience: zhike-web                  # optional: required ``aud`` claim
      # login_issuer: shop.example.com             # optional: required ``iss`` claim
      # suggestions_file: /etc/zhike/suggestions.yml  # optional: the 猜你想问 menu

Without the login and identity secrets (32+ bytes each) every chat is anonymous and the
rest works.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels import admission
from zhike.channels.http_body import MAX_DEPTH
from zhike.channels.limits import TRUNCATED_NOTICE, cap_user_text
from zhike.channels.settings import setting
from zhike.channels.web import assets
from zhike.channels.web.login import DEFAULT_SECRET_ENV, LOGIN_TOKEN_KEY, WebLogin
from zhike.channels.web.session import (
    SESSION_SECRET_ENV,
    SessionSigner,
    WebSessions,
    session_key,
)
from zhike.channels.web.suggestions import load_suggestions
from zhike.channels.web.sync import WebChatOutput, missed_messages, parse_after
from zhike.common.json_body import value_problem
from zhike.lib.identity.tokens import DEFAULT_LEEWAY

logger = logging.getLogger(__name__)

CHANNEL_NAME = "socketio"
DEFAULT_METADATA_KEY = "customData"
SYNC_EVENT = "zhike_sync"
_SECRET_ENV = {**DEFAULT_SECRET_ENV, "session_secret": SESSION_SECRET_ENV}
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel serving zhike's chat widget and binding logged-in customers.

    Args:
        user_message_evt: socket.io event of user messages.
        bot_message_evt: socket.io event of bot messages.
        namespace: socket.io namespace (``None``: the default one).
        session_persistence: let a widget continue its session across reconnects and
            reloads (the widget relies on it).
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
        session_secret: the key of session tokens (else derived from ``identity_secret``).
        gate: the admission gate (default: the process-wide one).
        suggestions_file: the 猜你想问 menu (default: ``suggestions.yml`` of this package;
            see :mod:`zhike.channels.web.suggestions`).
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
        session_secret: str | None = None,
        gate: admission.Gate | None = None,
        suggestions_file: str | None = None,
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
        self.login = WebLogin(
            CHANNEL_NAME,
            login_secret,
            identity_secret,
            audience=login_audience,
            issuer=login_issuer,
            leeway=leeway,
            clock=clock,
        )
        self._signer = SessionSigner(session_key(session_secret, identity_secret), clock=clock)
        self._sessions: WebSessions | None = None
        self._gate = gate
        self._suggestions_file = Path(suggestions_file) if suggestions_file else None
        self._app: Sanic | None = None
        if not session_persistence:
            logger.warning(
                "web chat: session_persistence is off; the widget's history and "
                "reconnects need it on."
            )
        if self.login.problems:
            logger.info(
                "web chat login tokens are not accepted (%s): every web chat is anonymous "
                "until the customer binds an account.",
                "; ".join(self.login.problems),
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
        ``ZHIKE_WEB_LOGIN_SECRET``, ``ZHIKE_IDENTITY_SECRET`` and
        ``ZHIKE_WEB_SESSION_SECRET``), read here, once.
        """
        credentials = credentials or {}
        secrets = {key: setting(credentials, key, _SECRET_ENV) for key in _SECRET_ENV}
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
            session_secret=secrets["session_secret"],
            suggestions_file=credentials.get("suggestions_file"),
        )

    @property
    def login_configured(self) -> bool:
        """Whether login tokens can be verified and identities signed."""
        return self.login.configured

    def client_settings(self) -> dict[str, Any]:
        """What the widget must know about this server (put into ``widget.js``)."""
        return {
            "socketPath": self.socketio_path,
            "namespace": self.namespace,
            "userEvent": self.user_message_evt,
            "botEvent": self.bot_message_evt,
            "metadataKey": self.metadata_key,
            "loginTokenKey": LOGIN_TOKEN_KEY,
            "suggestions": load_suggestions(self._suggestions_file),
        }

    def bind_identity(self, message: UserMessage) -> UserMessage:
        """The message with the identity its login token proves (see :class:`WebLogin`)."""
        return self.login.bind_identity(message)

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel of ``output_channel=latest`` (Rasa's HTTP API): keyed messages."""
        if self.sio is None:
            return super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint with server-side sessions, catch-up and the widget."""
        webhook = super().blueprint(on_new_message)
        assert self.sio is not None  # set by SocketIOInput.blueprint
        self._sessions = WebSessions(
            self.sio, self.namespace, self._signer, resumable=self.session_persistence
        )
        self._replace_session_request()
        self._replace_user_message(on_new_message)
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
        """Registers the ``session_request`` handler: a server-assigned session.

        Rasa 3.6's handler trusts the client's ``session_id`` and never joins the
        session's room with the python-socketio version pinned here.
        """
        sio, sessions = self.sio, self._sessions
        assert sio is not None and sessions is not None

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            metadata = self._metadata(data) if isinstance(data, Mapping) else {}
            await sessions.open(sid, data, self.login.owner_of(metadata.get(LOGIN_TOKEN_KEY)))

    def _replace_user_message(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Registers the ``user_uttered`` handler: the socket's session, capped, admitted."""
        sio, sessions = self.sio, self._sessions
        assert sio is not None and sessions is not None

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, Mapping):
                return
            metadata = self._metadata(data)
            owner = self.login.owner_of(metadata.get(LOGIN_TOKEN_KEY))
            sender_id = await sessions.sender_for(sid, owner)
            if sender_id is None:
                logger.warning("web chat: a message before session_request was ignored.")
                return
            claimed = data.get("session_id")
            if claimed not in (None, "", sender_id):
                logger.warning(
                    "web chat: a message's session_id that is not its socket's was ignored."
                )
            message = self._user_message(sender_id, data)
            if message is not None:
                await self._handle(sid, message, on_new_message)

    async def _handle(
        self,
        sid: str,
        message: UserMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Caps the text, binds the identity and handles the message inside the gate."""
        assert self.sio is not None and message.output_channel is not None
        capped = cap_user_text(message.text or "")
        message.text = capped.text
        try:
            async with (self._gate or admission.gate()).slot():
                if capped.truncated:
                    await message.output_channel.send_text_message(
                        message.sender_id, TRUNCATED_NOTICE
                    )
                await on_new_message(self.bind_identity(message))
        except admission.Overloaded:
            await self.sio.emit(
                self.bot_message_evt,
                {"text": admission.BUSY_NOTICE},
                room=sid,
                namespace=self.namespace,
            )

    def _user_message(self, sender_id: str, data: Mapping[str, Any]) -> UserMessage | None:
        """A ``user_uttered`` event of conversation ``sender_id`` (``None``: ignored)."""
        assert self.sio is not None
        text = data.get("message")
        if not isinstance(text, str):
            logger.warning("web chat: a message whose text is not a string was ignored.")
            return None
        # Typed by a person: characters that cannot be stored are dropped, not the message.
        text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
        if not text.strip():
            return None
        return UserMessage(
            text,
            WebChatOutput(self.sio, self.bot_message_evt, self.namespace),
            sender_id,
            input_channel=self.name(),
            metadata=self._metadata(data),
        )

    def _metadata(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The message's metadata object; anything else (or unstorable) is dropped."""
        metadata = data.get(self.metadata_key, {})
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except (ValueError, RecursionError):
                logger.warning("web chat: metadata that is not JSON was ignored.")
                metadata = {}
        if not isinstance(metadata, dict) or value_problem(metadata, MAX_DEPTH) is not None:
            return {}
        return metadata

    def _register_sync(self) -> None:
        """Registers ``zhike_sync``: the socket's session's bot messages since ``after``."""
        sio, sessions = self.sio, self._sessions
        assert sio is not None and sessions is not None

        @sio.on(SYNC_EVENT, namespace=self.namespace)
        async def sync(sid: str, data: Any = None) -> dict[str, Any]:
            sender_id = await sessions.current(sid)
            if sender_id is None:
                return {"messages": []}  # no session_request yet
            tracker = await self._web_tracker(sender_id)
            return {"messages": await missed_messages(tracker, parse_after(data))}

    async def _web_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation of ``sender_id`` when it is a web chat (else, or on errors, none).

        A conversation whose latest message came from another channel is not this
        channel's to show.
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


def _serve(asset: assets.Asset, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    return response.raw(
        asset.body,
        content_type=asset.content_type,
        headers={**_COMMON_HEADERS, **(headers or {})},
    )
