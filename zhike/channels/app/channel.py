"""The company mobile app's input channel: ``POST /webhooks/app/webhook``.

The app sends ``Authorization: Bearer <login JWT>`` and ``{"message": "..."}``; the bot's
replies come back in the response, a JSON list like Rasa's REST channel returns. Who the
customer is comes from the token alone: the conversation (sender) id is
``app:<customer id>`` of the token's subject, and a body ``sender``, ``metadata`` or
``customer_id`` is ignored. The channel signs an identity assertion
(:mod:`zhike.lib.identity.assertion`) into the message metadata so that actions can trust it.

Answers: 200 with the replies; 400 a body that is not a JSON object with a string
``message`` (malformed JSON, not UTF-8, NUL characters, nesting deeper than 32 levels,
an empty message); 401 a missing, expired or forged token (nothing is processed); 413 a
body over 64 KiB; 503 while the secrets are not configured (the rest of Rasa starts and
works normally), and 503 with ``Retry-After`` while the server is saturated
(:mod:`zhike.channels.admission`). A message over 2000 characters is cut before NLU and
the replies start with a polite notice (:mod:`zhike.channels.limits`).

``credentials.yml``::

    zhike.channels.app.AppInput:
      jwt_secret_env: ZHIKE_APP_JWT_SECRET        # names of environment variables,
      identity_secret_env: ZHIKE_IDENTITY_SECRET  # read once when Rasa starts
      # jwt_audience: zhike                       # optional: required ``aud`` claim
      # jwt_issuer: company-app                   # optional: required ``iss`` claim
      push_url_env: ZHIKE_APP_PUSH_URL            # optional: push delivery of later
      push_secret_env: ZHIKE_APP_PUSH_SECRET      # messages (zhike.channels.app.push)
      push_db_url_env: ZHIKE_APP_PUSH_DB_URL      # the push journal (default below)

Messages the bot sends outside a request (a human agent's reply, a notification sent with
``/conversations/app:<customer>/trigger_intent?output_channel=app``) are pushed, signed,
to the app backend's callback URL (:mod:`zhike.channels.app.push`); without a push URL and a
secret of at least 32 bytes they are not sent (logged once at start-up). Each push is
stored first in a journal, SQLite ``.zhike/app_push.db`` under the working directory
unless ``ZHIKE_APP_PUSH_DB_URL`` names another database (``memory``: none); pushes a
stopped server left pending are resumed when the server starts.

``jwt_secret: ${ZHIKE_APP_JWT_SECRET}`` works too, but Rasa then refuses to start while
the variable is unset; naming the variable lets ``make run`` start without it.
"""

from __future__ import annotations

import logging
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels import admission
from zhike.channels.app.output import (
    CHANNEL_NAME,
    AppPushOutputChannel,
    push_settings,
)
from zhike.channels.app.push import PushConfig, PushDelivery
from zhike.channels.app.push_store import PushStoreSettings
from zhike.channels.http_body import BadBody, json_object, message_text, truncated_notice
from zhike.channels.settings import secret_problems, setting
from zhike.lib.identity import assertion
from zhike.lib.identity.tokens import (
    DEFAULT_LEEWAY,
    MissingToken,
    TokenError,
    bearer_token,
    verify_app_token,
)

logger = logging.getLogger(__name__)

DEFAULT_SECRET_ENV = {
    "jwt_secret": "ZHIKE_APP_JWT_SECRET",
    "identity_secret": "ZHIKE_IDENTITY_SECRET",
}


class AppOutputChannel(CollectingOutputChannel):
    """Collects the replies to one app request; they are returned in its response.

    Replies sent later, outside a request (reminders, a human agent's answer), go
    through :class:`AppPushOutputChannel` instead.
    """

    @classmethod
    def name(cls) -> str:
        """The channel name stored with the bot's events."""
        return CHANNEL_NAME


class AppInput(InputChannel):
    """The mobile app channel: customers identified by the app's login token.

    Args:
        jwt_secret: the HS256 secret of the app's login tokens.
        identity_secret: the secret identity assertions are signed with (the action
            server verifies them with the same secret).
        jwt_audience: when set, tokens must name this audience (``aud``).
        jwt_issuer: when set, tokens must come from this issuer (``iss``).
        leeway: tolerated clock skew in seconds for the token's time claims.
        clock: current unix time in seconds (tests pass a fixed clock).
        push: where messages sent outside a request go; ``None``: they are not sent.
        push_store: the journal pushes are stored in; ``None``: memory only.
        gate: the admission gate (default: the process-wide one).
    """

    def __init__(
        self,
        jwt_secret: str | None = None,
        identity_secret: str | None = None,
        jwt_audience: str | None = None,
        jwt_issuer: str | None = None,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
        push: PushConfig | None = None,
        push_store: PushStoreSettings | None = None,
        gate: admission.Gate | None = None,
    ) -> None:
        self._gate = gate
        self._push = PushDelivery(push, store=push_store) if push else None
        self._jwt_secret = jwt_secret or ""
        self._identity_secret = identity_secret or ""
        self._jwt_audience = jwt_audience or None
        self._jwt_issuer = jwt_issuer or None
        self._leeway = leeway
        self._clock = clock
        self._problems = secret_problems(
            {"jwt_secret": self._jwt_secret, "identity_secret": self._identity_secret},
            DEFAULT_SECRET_ENV,
        )
        self._warned_on_request = False
        if self._problems:
            logger.warning(
                "app channel not configured (%s): /webhooks/app answers 503.",
                "; ".join(self._problems),
            )

    @classmethod
    def name(cls) -> str:
        """The channel name: URL prefix ``/webhooks/app`` and ``input_channel``."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> InputChannel:
        """Creates the channel from its ``credentials.yml`` entry (may be empty).

        Each secret is the value of ``<key>`` or else of the environment variable named by
        ``<key>_env`` (default ``ZHIKE_APP_JWT_SECRET`` and ``ZHIKE_IDENTITY_SECRET``),
        read here, once, when Rasa starts.
        """
        credentials = credentials or {}
        secrets = {key: setting(credentials, key, DEFAULT_SECRET_ENV) for key in DEFAULT_SECRET_ENV}
        return cls(
            jwt_secret=secrets["jwt_secret"],
            identity_secret=secrets["identity_secret"],
            jwt_audience=credentials.get("jwt_audience"),
            jwt_issuer=credentials.get("jwt_issuer"),
            **push_settings(credentials),
        )

    @property
    def configured(self) -> bool:
        """Whether both secrets are set and long enough; else every request gets 503."""
        return not self._problems

    def get_output_channel(self) -> OutputChannel | None:
        """The push channel for messages outside a request, ``None`` when push is off.

        Rasa asks for it when a message is sent with ``output_channel=app`` (or ``latest``
        in an app conversation), e.g. by ``/conversations/<id>/trigger_intent``.
        """
        return AppPushOutputChannel(self._push) if self._push else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes: ``GET /health`` and ``POST /webhook`` under ``/webhooks/app``.

        With push on, the server's start resumes pushes a stopped server left pending,
        and its stop leaves those not yet delivered to the next start.
        """
        webhook = Blueprint("zhike_app_webhook")
        push = self._push
        if push is not None:

            @webhook.listener("after_server_start")
            async def resume_pushes(app: Any, loop: Any) -> None:
                await push.start()

            @webhook.listener("after_server_stop")
            async def stop_pushes(app: Any, loop: Any) -> None:
                await push.aclose()

        @webhook.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"status": "not_configured"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if not self.configured:
            log = logger.debug if self._warned_on_request else logger.warning
            self._warned_on_request = True
            log("app channel not configured (%s): refused a request.", "; ".join(self._problems))
            return _error(503, "not_configured", "app channel not configured")

        now = self._clock()
        try:
            token = verify_app_token(
                bearer_token(request.headers.get("authorization")),
                self._jwt_secret,
                now,
                leeway=self._leeway,
                audience=self._jwt_audience,
                issuer=self._jwt_issuer,
            )
        except TokenError as exc:
            logger.info("app channel refused a request: %s", exc.code)
            challenge = 'Bearer realm="zhike"'
            if not isinstance(exc, MissingToken):
                challenge += ', error="invalid_token"'
            return _error(401, exc.code, _TOKEN_MESSAGES[exc.code], challenge)

        try:
            text, truncated = message_text(json_object(request.body))
        except BadBody as refused:
            return refused.response()

        sender_id = f"{CHANNEL_NAME}:{token.customer_id}"
        signed = assertion.sign(
            token.customer_id, CHANNEL_NAME, sender_id, int(now), self._identity_secret
        )
        collector = AppOutputChannel()
        message = UserMessage(
            text,
            collector,
            sender_id,
            input_channel=CHANNEL_NAME,
            metadata={assertion.METADATA_KEY: signed},
        )
        try:
            async with (self._gate or admission.gate()).slot():
                await on_new_message(message)
        except admission.Overloaded:
            return admission.overloaded_response()
        except CancelledError:
            logger.error("app channel: handling a message timed out (sender %s).", sender_id)
        except Exception:
            logger.exception("app channel: handling a message failed (sender %s).", sender_id)
            return _error(500, "internal_error", "the message could not be handled")
        notice = [truncated_notice(sender_id)] if truncated else []
        return response.json(notice + collector.messages)


_TOKEN_MESSAGES = {
    "missing_token": "an Authorization: Bearer token is required",
    "token_expired": "the login token has expired; log in again",
    "invalid_token": "the login token is invalid",
}


def _error(status: int, code: str, message: str, challenge: str | None = None) -> HTTPResponse:
    headers = {"WWW-Authenticate": challenge} if challenge else None
    return response.json({"error": code, "message": message}, status=status, headers=headers)
