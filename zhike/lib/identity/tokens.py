"""Verification of login tokens (JWT signed with HS256) that name a customer.

Two channels take them: the company app sends ``Authorization: Bearer <token>`` with
every message (secret ``ZHIKE_APP_JWT_SECRET``), and the web chat widget passes the token
the company site signed for its logged-in customer (secret ``ZHIKE_WEB_LOGIN_SECRET``).
A token is accepted only when it is signed with HS256 and the channel's shared secret (the
algorithm is pinned: ``none``, ``HS512``, ``RS256`` ... are refused whatever the token's
header says), carries a subject ``sub`` that is a customer id (``C`` + digits) and an
expiry ``exp`` that has not passed; ``nbf`` and ``iat``, when present, must not lie in the
future. All time checks allow :data:`DEFAULT_LEEWAY` seconds of clock skew. The secret
is passed in; nothing here reads the environment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jwt

from zhike.common.ids import normalize_customer_id
from zhike.lib.identity.assertion import MIN_SECRET_BYTES

ALGORITHM = "HS256"
DEFAULT_LEEWAY = 30  # seconds of clock skew between the app's token server and us


class TokenError(Exception):
    """The request carries no acceptable login token (base of the token errors).

    Attributes:
        code: machine-readable error code for the HTTP answer.
    """

    code = "invalid_token"


class MissingToken(TokenError):
    """No ``Authorization: Bearer`` token was sent."""

    code = "missing_token"


class ExpiredToken(TokenError):
    """The token was valid but its ``exp`` has passed: the app must log in again."""

    code = "token_expired"


class InvalidToken(TokenError):
    """The token is forged, malformed, of another algorithm or not for a customer."""

    code = "invalid_token"


@dataclass(frozen=True)
class LoginToken:
    """A verified login token (of the app or of the company web site).

    Attributes:
        customer_id: the canonical customer id from ``sub`` (``C001``).
        expires_at: ``exp``, unix seconds.
    """

    customer_id: str
    expires_at: float


def check_secret(secret: str | bytes | None) -> bytes:
    """Returns the secret as bytes if it is long enough to be an HS256 key.

    An HS256 key must be at least as long as the hash, 32 bytes (RFC 7518, 3.2).

    Raises:
        ValueError: when the secret is missing or shorter than :data:`MIN_SECRET_BYTES`.
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else (secret or b"")
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the secret must be at least {MIN_SECRET_BYTES} bytes long")
    return key


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value.

    Raises:
        MissingToken: no header, another scheme, or no token after ``Bearer``.
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise MissingToken("an Authorization: Bearer token is required")
    return token


def verify_login_token(
    token: str,
    secret: str | bytes,
    now: float,
    leeway: float = DEFAULT_LEEWAY,
    audience: str | None = None,
    issuer: str | None = None,
) -> LoginToken:
    """Verifies a login token and returns whose it is.

    Args:
        token: the encoded JWT.
        secret: the channel's HS256 secret (``ZHIKE_APP_JWT_SECRET``,
            ``ZHIKE_WEB_LOGIN_SECRET``).
        now: current unix time in seconds.
        leeway: tolerated clock skew in seconds for ``exp``, ``nbf`` and ``iat``.
        audience: when set, the token's ``aud`` must contain it; when ``None``, a token
            that names an audience is refused (it was made for another service).
        issuer: when set, the token's ``iss`` must equal it.

    Returns:
        The verified token.

    Raises:
        MissingToken: ``token`` is empty.
        ExpiredToken: the signature is right but ``exp`` has passed.
        InvalidToken: anything else wrong with the token.
        ValueError: the secret is missing or too short (a configuration error).
    """
    key = check_secret(secret)
    if not token:
        raise MissingToken("an Authorization: Bearer token is required")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            # Time claims are checked below against ``now`` (testable, one clock).
            options={
                "require": ["exp", "sub"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"invalid token: {exc}") from exc

    expires_at = _numeric_date(claims, "exp")
    if expires_at is None:
        raise InvalidToken("the token has no expiry")
    if expires_at <= now - leeway:
        raise ExpiredToken("the token has expired")
    for claim in ("nbf", "iat"):
        value = _numeric_date(claims, claim)
        if value is not None and value > now + leeway:
            raise InvalidToken(f"the token is not valid yet ({claim})")

    subject = claims.get("sub")
    customer_id = normalize_customer_id(subject) if isinstance(subject, str) else None
    if customer_id is None:
        raise InvalidToken("the token subject is not a customer id")
    return LoginToken(customer_id=customer_id, expires_at=expires_at)


# The names the app channel was written with.
AppToken = LoginToken
verify_app_token = verify_login_token


def _numeric_date(claims: dict[str, Any], claim: str) -> float | None:
    """A NumericDate claim as float, ``None`` when absent.

    Raises:
        InvalidToken: when present but not a finite number.
    """
    if claim not in claims:
        return None
    value = claims[claim]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidToken(f"the {claim} claim is not a number")
    if not math.isfinite(value):
        raise InvalidToken(f"the {claim} claim is not a number")
    return float(value)
