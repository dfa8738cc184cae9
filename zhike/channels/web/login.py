"""The web chat's logged-in customers: the company site's login token, verified.

A company site where the customer is logged in passes a login token it signed (HS256
JWT, ``sub`` = customer id, secret ``ZHIKE_WEB_LOGIN_SECRET``) to the widget, which sends
it in the metadata of every message (``customData.login_token``). :class:`WebLogin`

- binds a message to the token's customer: a signed identity assertion
  (:mod:`zhike.lib.identity.assertion`) for that customer and conversation replaces whatever
  the client sent; a missing, expired or forged token leaves the message anonymous (a
  warning without personal data is logged), and the token is removed from the metadata so
  that it is never stored in the tracker store;
- tells whose a web session is (:meth:`WebLogin.owner_of`): the customer of a token the
  site really signed, even an expired one, or ``""`` (anonymous). A web session belongs to
  one owner; :mod:`zhike.channels.web.session` starts a new one when it changes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping

from rasa.core.channels.channel import UserMessage

from zhike.channels.settings import secret_problems
from zhike.lib.identity import assertion
from zhike.lib.identity.tokens import DEFAULT_LEEWAY, TokenError, verify_login_token

logger = logging.getLogger(__name__)

LOGIN_TOKEN_KEY = "login_token"
ANONYMOUS = ""
DEFAULT_SECRET_ENV = {
    "login_secret": "ZHIKE_WEB_LOGIN_SECRET",
    "identity_secret": "ZHIKE_IDENTITY_SECRET",
}


class WebLogin:
    """Verifies the site's login tokens and signs the web chat's identity assertions.

    Args:
        channel: the input channel name the assertions are signed for.
        login_secret: HS256 secret of the company site's login tokens.
        identity_secret: secret identity assertions are signed with (the action server
            verifies them with the same secret).
        audience: when set, login tokens must name this audience (``aud``).
        issuer: when set, login tokens must come from this issuer (``iss``).
        leeway: tolerated clock skew in seconds for the token's time claims.
        clock: current unix time in seconds.
    """

    def __init__(
        self,
        channel: str,
        login_secret: str | None,
        identity_secret: str | None,
        audience: str | None = None,
        issuer: str | None = None,
        leeway: float = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._channel = channel
        self._login_secret = login_secret or ""
        self._identity_secret = identity_secret or ""
        self._audience = audience or None
        self._issuer = issuer or None
        self._leeway = leeway
        self._clock = clock
        self.problems = secret_problems(
            {"login_secret": self._login_secret, "identity_secret": self._identity_secret},
            DEFAULT_SECRET_ENV,
        )
        self._warned_unconfigured = False

    @property
    def configured(self) -> bool:
        """Whether login tokens can be verified and identities signed."""
        return not self.problems

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
            customer_id = self.customer_of(token)
            if customer_id is not None and message.sender_id:
                now = int(self._clock())
                metadata[assertion.METADATA_KEY] = assertion.sign(
                    customer_id, self._channel, message.sender_id, now, self._identity_secret
                )
        message.metadata = metadata
        return message

    def customer_of(self, token: object) -> str | None:
        """The customer a valid login token names, ``None`` (and a warning) otherwise."""
        if not self.configured:
            log = logger.debug if self._warned_unconfigured else logger.warning
            self._warned_unconfigured = True
            log(
                "web chat: a login token was sent, but login is not configured (%s); the "
                "message is handled anonymously.",
                "; ".join(self.problems),
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
                audience=self._audience,
                issuer=self._issuer,
            )
        except TokenError as exc:
            logger.warning("web chat: login token refused (%s); handled anonymously.", exc.code)
            return None
        return verified.customer_id

    def owner_of(self, token: object) -> str:
        """Whose web session a message or session request with ``token`` is.

        The customer of a token the site signed, whether or not it has expired (a
        customer whose token ran out mid-conversation keeps the conversation, answered
        anonymously until the site renews the token); :data:`ANONYMOUS` for no token, a
        forged one, or while login is not configured.
        """
        if not self.configured or not isinstance(token, str) or not token:
            return ANONYMOUS
        try:
            verified = verify_login_token(
                token,
                self._login_secret,
                self._clock(),
                leeway=math.inf,
                audience=self._audience,
                issuer=self._issuer,
            )
        except TokenError:
            return ANONYMOUS
        return verified.customer_id
