"""Which conversation a web chat socket writes into: assigned by the server, never the client.

Rasa's socket.io channel takes the conversation (sender) id from every message's
``session_id``, so any browser could post into ``app:C001`` or ``wechat:<openid>``,
restart it, or pull it out of a hand-off. Here the server decides:

- on ``session_request`` the socket gets a web session id, kept in its socket.io session
  (``sio.save_session``); messages and catch-up use that id only, and a ``session_id`` in
  a message is ignored;
- a client continues an earlier session (a reload, a reconnect) only if it proves it was
  given that id: the server hands out ``session_token``, an HMAC of the session id and its
  owner (:class:`SessionSigner`), in a ``zhike_session`` event ``{"session_id": ...,
  "session_token": ...}`` sent just before each ``session_confirm``; the client sends it
  back in its next ``session_request`` (valid for 30 days, renewed with every
  ``session_request`` that proves it). Only ids of the web chat's own form (8-128
  letters, digits, ``_``, ``-``: never ``app:``, ``wechat:``, ``wecom:``) are resumed;
  anything else gets a new session;
- a session belongs to one owner, the customer of the site's login token or
  ``""`` (anonymous, see :mod:`zhike.channels.web.login`); when a message names another
  owner (another customer logged in, or the customer logged out) the socket moves to a
  new session at once, so no conversation keeps the previous customer's identity.

The signing key is ``ZHIKE_WEB_SESSION_SECRET`` (32+ bytes), else derived from
``ZHIKE_IDENTITY_SECRET``; without either, a development key (``ZHIKE_ENV=development``)
or, in production, a random key per process (sessions then end when Rasa restarts), each
with a warning.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from socketio import AsyncServer

from zhike.common.deployment import is_development

logger = logging.getLogger(__name__)

SESSION_EVENT = "zhike_session"
SESSION_TOKEN_KEY = "session_token"
SESSION_SECRET_ENV = "ZHIKE_WEB_SESSION_SECRET"
MIN_SECRET_BYTES = 32
MAX_SESSION_AGE = 30 * 24 * 60 * 60  # a widget unused for 30 days starts afresh
MAX_CLOCK_SKEW = 60
_SENDER_KEY = "sender_id"
_OWNER_KEY = "owner"
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
_DOMAIN = b"zhike-web-session/v1\n"
_DEVELOPMENT_KEY = hashlib.sha256(b"zhike development web session key (not secret)").digest()


def is_web_session_id(value: object) -> bool:
    """Whether ``value`` has the form of a web chat session id (no other channel's)."""
    return isinstance(value, str) and _SESSION_ID.fullmatch(value) is not None


def new_session_id() -> str:
    """A new, random web session id (32 hex digits)."""
    return uuid.uuid4().hex


def session_key(
    session_secret: str | None, identity_secret: str | None, env: Mapping[str, str] | None = None
) -> bytes:
    """The key session tokens are signed with (see the module docstring for the order)."""
    if session_secret and len(session_secret.encode("utf-8")) >= MIN_SECRET_BYTES:
        return session_secret.encode("utf-8")
    if identity_secret and len(identity_secret.encode("utf-8")) >= MIN_SECRET_BYTES:
        return hmac.new(identity_secret.encode("utf-8"), _DOMAIN, hashlib.sha256).digest()
    if is_development(env):
        logger.warning(
            "web chat: neither %s nor ZHIKE_IDENTITY_SECRET is set; web sessions are "
            "signed with the development key (never use this in production).",
            SESSION_SECRET_ENV,
        )
        return _DEVELOPMENT_KEY
    logger.warning(
        "web chat: neither %s nor ZHIKE_IDENTITY_SECRET is set; web sessions are signed "
        "with a random key and end when this process stops.",
        SESSION_SECRET_ENV,
    )
    return secrets.token_bytes(32)


class SessionSigner:
    """Signs and checks the proof that a client was given a web session id.

    A token is ``<issued at, unix seconds, base 36>.<HMAC-SHA256, base64url>`` over the
    session id, its owner and the issue time; it is valid for ``max_age`` seconds, and
    every ``session_request`` that proves a session gets a fresh one.

    Args:
        key: the HMAC-SHA256 key (:func:`session_key`).
        clock: current unix time in seconds.
        max_age: seconds a token is accepted for.
    """

    def __init__(
        self,
        key: bytes,
        clock: Callable[[], float] = time.time,
        max_age: float = MAX_SESSION_AGE,
    ) -> None:
        self._key = key
        self._clock = clock
        self._max_age = max_age

    def token(self, session_id: str, owner: str) -> str:
        """A new session token of ``session_id`` for ``owner`` (``""``: anonymous)."""
        return self._token(session_id, owner, int(self._clock()))

    def _token(self, session_id: str, owner: str, issued_at: int) -> str:
        stamp = _base36(issued_at)
        message = "\n".join([session_id, owner, stamp]).encode("utf-8")
        digest = hmac.new(self._key, _DOMAIN + message, hashlib.sha256).digest()
        return stamp + "." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def verify(self, session_id: object, token: object, owner: str) -> bool:
        """Whether ``token`` proves ``session_id`` was given to a client of ``owner``."""
        if not is_web_session_id(session_id) or not isinstance(token, str) or len(token) > 100:
            return False
        assert isinstance(session_id, str)
        stamp, _, _ = token.partition(".")
        if not stamp.isalnum() or not stamp.isascii():
            return False
        issued_at = int(stamp, 36)
        age = self._clock() - issued_at
        if not -MAX_CLOCK_SKEW <= age <= self._max_age:
            return False
        return hmac.compare_digest(self._token(session_id, owner, issued_at), token)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


class WebSessions:
    """The web session of each socket, kept in its socket.io session.

    Args:
        sio: the socket.io server.
        namespace: the socket.io namespace (``None``: the default one).
        signer: signs and checks session tokens.
        resumable: whether a client may continue an earlier session (Rasa's
            ``session_persistence``).
    """

    def __init__(
        self, sio: AsyncServer, namespace: str | None, signer: SessionSigner, resumable: bool
    ) -> None:
        self._sio = sio
        self._namespace = namespace
        self._signer = signer
        self._resumable = resumable
        self._lock: asyncio.Lock | None = None

    async def open(self, sid: str, request: Any, owner: str) -> str:
        """Answers a ``session_request``: the session the client proved, else a new one."""
        requested = request.get("session_id") if isinstance(request, Mapping) else None
        token = request.get(SESSION_TOKEN_KEY) if isinstance(request, Mapping) else None
        if self._resumable and self._signer.verify(requested, token, owner):
            assert isinstance(requested, str)
            session_id = requested
        else:
            if requested:
                logger.info(
                    "web chat: a session_request for a session the client did not prove "
                    "(or of another owner) got a new session."
                )
            session_id = new_session_id()
        async with self._locked():
            await self._move(sid, session_id, owner)
        return session_id

    async def sender_for(self, sid: str, owner: str) -> str | None:
        """The conversation a message of socket ``sid`` goes to (``None``: no session yet).

        When ``owner`` is not the session's, the socket first moves to a new session
        (announced to the client with ``zhike_session`` and ``session_confirm``).
        """
        async with self._locked():
            session = await self._session(sid)
            sender_id = session.get(_SENDER_KEY)
            if not isinstance(sender_id, str):
                return None
            if session.get(_OWNER_KEY, "") == owner:
                return sender_id
            logger.info("web chat: the login changed on a session; the socket gets a new one.")
            sender_id = new_session_id()
            await self._move(sid, sender_id, owner)
            return sender_id

    async def current(self, sid: str) -> str | None:
        """The conversation of socket ``sid`` (``None`` before its ``session_request``)."""
        sender_id = (await self._session(sid)).get(_SENDER_KEY)
        return sender_id if isinstance(sender_id, str) else None

    async def _session(self, sid: str) -> Mapping[str, Any]:
        session = await self._sio.get_session(sid, namespace=self._namespace)
        return session if isinstance(session, Mapping) else {}

    async def _move(self, sid: str, session_id: str, owner: str) -> None:
        """Puts socket ``sid`` into ``session_id``'s room (only) and tells the client."""
        sio, namespace = self._sio, self._namespace
        previous = (await self._session(sid)).get(_SENDER_KEY)
        if isinstance(previous, str) and previous != session_id:
            await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
        await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
        await sio.save_session(
            sid, {_SENDER_KEY: session_id, _OWNER_KEY: owner}, namespace=namespace
        )
        proof = {"session_id": session_id, SESSION_TOKEN_KEY: self._signer.token(session_id, owner)}
        await sio.emit(SESSION_EVENT, proof, room=sid, namespace=namespace)
        await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

    def _locked(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock


async def _maybe_await(result: Any) -> None:
    """Awaits ``enter_room``/``leave_room``: coroutines since python-socketio 5.10.

    Rasa 3.6 does not await them, so its sockets never join their session's room.
    """
    if inspect.isawaitable(result):
        await result
