"""Signed identity assertions: how a zhike channel tells actions who the sender is.

Rasa's socket.io and REST channels copy client-supplied ``metadata`` into the message
unchanged, so a bare ``customer_id`` in the metadata would be forgeable by anyone who can
open the chat widget. Only an assertion signed by zhike's own channel code counts: the
channel authenticates the sender (e.g. the app's login token), then puts this under the
key ``zhike_identity`` of the Rasa message metadata::

    {"customer_id": "C001",          # or null: sender authenticated, no customer known
     "channel": "app",
     "sender_id": "app:C001",        # the Rasa conversation (sender) id
     "issued_at": 1718000000,        # unix seconds, integer
     "sig": "<64 hex chars>"}

``sig`` is HMAC-SHA256 with the secret ``ZHIKE_IDENTITY_SECRET`` (shared by the Rasa
server, which signs, and the action server, which verifies) over the line
``zhike-identity/v1`` and a newline, then the JSON of the four other fields with sorted
keys, no whitespace and ASCII escapes (see :func:`canonical_payload`).

:func:`verify` refuses a wrong signature, an assertion made for another conversation
(``sender_id`` differs: one user's assertion cannot be replayed in another conversation),
an ``issued_at`` older than ``max_age`` or in the future beyond a small clock skew, and
anything when no secret of at least 32 bytes is configured. Secrets are passed in;
nothing here reads the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zhike.common.ids import normalize_customer_id

METADATA_KEY = "zhike_identity"

# Why 24 hours: the app channel signs every message afresh, so a fresh assertion is
# normally seconds old when an action verifies it. But an action may read it much later
# in the same conversation -- a form or a human-agent hand-off that spans an afternoon, an
# action run by a reminder or an external event while the latest user message (and its
# assertion) is hours old. A conversation rarely outlives a day, and the assertion is
# bound to one conversation (``sender_id``), so 24 h bounds how long an assertion that
# leaked from the tracker store or logs can be replayed, without ending a customer's
# identified session mid-conversation. Callers wanting less pass ``max_age``.
DEFAULT_MAX_AGE = 24 * 60 * 60

# Seconds an ``issued_at`` may lie in the future: the Rasa server signs and the action
# server verifies, possibly on two hosts whose clocks differ a little.
DEFAULT_MAX_SKEW = 60

# A shorter secret counts as missing: a placeholder such as ``change-me`` copied from
# .env.example must never make forged assertions verify.
MIN_SECRET_BYTES = 32

_DOMAIN = b"zhike-identity/v1\n"
_FIELDS = frozenset({"customer_id", "channel", "sender_id", "issued_at", "sig"})


class InvalidAssertion(Exception):
    """An identity assertion is missing or must not be trusted.

    Attributes:
        reason: machine-readable cause: ``missing`` (no assertion in the metadata),
            ``malformed``, ``no_secret``, ``bad_signature``, ``wrong_sender``,
            ``wrong_channel``, ``stale`` or ``future``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class IdentityAssertion:
    """A verified assertion: channel ``channel`` vouches that ``sender_id`` is this customer.

    Attributes:
        customer_id: the canonical customer id (``C001``), or ``None`` when the channel
            authenticated the sender but knows no customer for it.
        channel: name of the channel that signed (``app``).
        sender_id: the Rasa conversation id the assertion was made for.
        issued_at: when it was signed, unix seconds.
    """

    customer_id: str | None
    channel: str
    sender_id: str
    issued_at: int


def canonical_payload(
    customer_id: str | None, channel: str, sender_id: str, issued_at: int
) -> bytes:
    """The exact bytes that are signed: a version prefix, then sorted compact JSON."""
    body = json.dumps(
        {
            "channel": channel,
            "customer_id": customer_id,
            "issued_at": issued_at,
            "sender_id": sender_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return _DOMAIN + body.encode("ascii")


def sign(
    customer_id: str | None,
    channel: str,
    sender_id: str,
    issued_at: int,
    secret: str | bytes,
) -> dict[str, Any]:
    """Makes the assertion to put under ``metadata["zhike_identity"]``.

    Args:
        customer_id: canonical customer id (``C001``) or ``None``.
        channel: name of the signing channel, e.g. ``app``.
        sender_id: the Rasa sender id of the conversation.
        issued_at: unix seconds (an ``int``).
        secret: the identity secret (``ZHIKE_IDENTITY_SECRET``).

    Returns:
        A JSON-serialisable dict with the four fields and ``sig``.

    Raises:
        ValueError: missing or short secret, non-canonical customer id, empty channel or sender id,
            or an ``issued_at`` that is not an integer.
    """
    key = _key(secret)
    if key is None:
        raise ValueError(f"signing needs an identity secret of {MIN_SECRET_BYTES}+ bytes")
    if customer_id is not None and normalize_customer_id(customer_id) != customer_id:
        raise ValueError(f"not a canonical customer id: {customer_id!r}")
    if not channel or not sender_id:
        raise ValueError("channel and sender_id must not be empty")
    if isinstance(issued_at, bool) or not isinstance(issued_at, int):
        raise ValueError("issued_at must be integer unix seconds")
    return {
        "customer_id": customer_id,
        "channel": channel,
        "sender_id": sender_id,
        "issued_at": issued_at,
        "sig": _signature(key, customer_id, channel, sender_id, issued_at),
    }


def verify(
    metadata: Mapping[str, Any] | None,
    secret: str | bytes | None,
    sender_id: str,
    now: float,
    max_age: float = DEFAULT_MAX_AGE,
    max_skew: float = DEFAULT_MAX_SKEW,
    channel: str | None = None,
) -> IdentityAssertion:
    """Checks the assertion in a message's metadata for the conversation ``sender_id``.

    Args:
        metadata: the Rasa message metadata (``tracker.latest_message["metadata"]``).
        secret: the identity secret; ``None``, empty or shorter than
            :data:`MIN_SECRET_BYTES` refuses every assertion.
        sender_id: the conversation's sender id (``tracker.sender_id``), never a value
            taken from the metadata.
        now: current unix time in seconds.
        max_age: oldest acceptable ``issued_at``, in seconds before ``now``.
        max_skew: how far in the future ``issued_at`` may lie, in seconds.
        channel: when given, the input channel the message came through; an assertion
            signed by another channel is refused (a replay through another channel).

    Returns:
        The verified assertion.

    Raises:
        InvalidAssertion: with a ``reason`` saying why it must not be trusted.
    """
    raw = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    if raw is None:
        raise InvalidAssertion("missing", "no identity assertion in the metadata")
    fields = _parse(raw)
    key = _key(secret)
    if key is None:
        raise InvalidAssertion("no_secret", "no identity secret configured")
    expected = _signature(
        key, fields.customer_id, fields.channel, fields.sender_id, fields.issued_at
    )
    if not hmac.compare_digest(expected.encode("ascii"), raw["sig"].encode("utf-8")):
        raise InvalidAssertion("bad_signature", "identity assertion signature is wrong")
    if fields.sender_id != sender_id:
        raise InvalidAssertion("wrong_sender", "identity assertion is for another sender")
    if channel is not None and fields.channel != channel:
        raise InvalidAssertion("wrong_channel", "identity assertion is from another channel")
    if now - fields.issued_at > max_age:
        raise InvalidAssertion("stale", "identity assertion is too old")
    if fields.issued_at - now > max_skew:
        raise InvalidAssertion("future", "identity assertion is issued in the future")
    return fields


def _key(secret: str | bytes | None) -> bytes | None:
    """The secret as bytes, ``None`` when missing or too short to be trusted."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret or b"")
    return key if len(key) >= MIN_SECRET_BYTES else None


def _signature(
    key: bytes, customer_id: str | None, channel: str, sender_id: str, issued_at: int
) -> str:
    payload = canonical_payload(customer_id, channel, sender_id, issued_at)
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _parse(raw: Any) -> IdentityAssertion:
    """Checks the shape of an assertion (not its signature)."""
    if not isinstance(raw, Mapping) or set(raw) != _FIELDS:
        raise InvalidAssertion("malformed", "identity assertion has the wrong fields")
    customer_id = raw["customer_id"]
    channel = raw["channel"]
    sender_id = raw["sender_id"]
    issued_at = raw["issued_at"]
    well_formed = (
        (customer_id is None or (isinstance(customer_id, str) and bool(customer_id)))
        and isinstance(channel, str)
        and bool(channel)
        and isinstance(sender_id, str)
        and bool(sender_id)
        and isinstance(issued_at, int)
        and not isinstance(issued_at, bool)
        and isinstance(raw["sig"], str)
    )
    if not well_formed:
        raise InvalidAssertion("malformed", "identity assertion has a field of the wrong type")
    return IdentityAssertion(customer_id, channel, sender_id, issued_at)
