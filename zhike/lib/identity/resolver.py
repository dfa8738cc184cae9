"""Who is this sender: what actions call before touching a customer's data.

Identity comes only from the channel, never from what the customer types: a valid
signed assertion from a zhike channel (:mod:`zhike.lib.identity.assertion`), else a binding
the customer made earlier by phone + one-time code (WeChat openid, web user), else the
sender is anonymous and may only see what the order's phone digits unlock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from zhike.lib.identity import assertion

if TYPE_CHECKING:
    from zhike.lib.backend_client.base import IdentityClient

logger = logging.getLogger(__name__)

IdentitySource = Literal["assertion", "binding", "anonymous"]

UNKNOWN_CHANNEL = "unknown"
# Channels whose sender id is a random session key the client holds (web chat) -- or, for
# rest, whatever the developer sends: rest is for development and must not be exposed.
# Their bindings are looked up without an assertion; every other channel needs one.
SESSION_CHANNELS = frozenset({"socketio", "rest"})


@dataclass(frozen=True)
class Identity:
    """Who sent the current message.

    Attributes:
        customer_id: the customer (``C001``), or ``None`` for an anonymous sender.
        channel: the input channel (``app``, ``socketio`` ...; ``unknown`` when Rasa
            recorded none).
        sender_id: the Rasa conversation id.
        source: how the customer was found: ``assertion`` (signed by a zhike channel),
            ``binding`` (phone + code binding of this channel user) or ``anonymous``.
    """

    customer_id: str | None
    channel: str
    sender_id: str
    source: IdentitySource

    @property
    def requester(self) -> str:
        """``"<channel>:<sender id>"``: whom lockouts (phone-digit tries) count against."""
        return f"{self.channel}:{self.sender_id}"

    @property
    def is_anonymous(self) -> bool:
        """Whether no customer is known for this sender."""
        return self.customer_id is None


async def resolve_identity(
    sender_id: str,
    input_channel: str | None,
    metadata: Mapping[str, Any] | None,
    client: IdentityClient,
    secret: str | bytes | None,
    now: float | None = None,
) -> Identity:
    """Finds out who sent the current message.

    In order: a valid assertion for this sender and channel in the message metadata
    gives its customer; else the customer bound to ``(channel, sender_id)`` in the
    backend; else the sender is anonymous. An invalid assertion (forged, replayed, stale)
    is logged and ignored, never trusted.

    Args:
        sender_id: the conversation id, ``tracker.sender_id``.
        input_channel: ``tracker.get_latest_input_channel()``.
        metadata: the metadata of the current message, ``tracker.latest_message
            .get("metadata")``; never trust a customer id from anywhere else.
        client: the backend client (only ``get_binding`` is used).
        secret: the identity secret (``ZHIKE_IDENTITY_SECRET``, read once at start-up);
            without it no assertion is trusted.
        now: current unix time in seconds (default: ``time.time()``).

    Returns:
        The sender's identity.

    Raises:
        BackendUnavailable: the binding lookup could not reach the backend (the caller
            apologises); other ``BackendError`` of the lookup propagate too.
    """
    channel = input_channel or UNKNOWN_CHANNEL
    if now is None:
        now = time.time()
    vouched = False
    try:
        verified = assertion.verify(metadata, secret, sender_id, now, channel=channel)
    except assertion.InvalidAssertion as exc:
        if exc.reason != "missing":
            logger.warning(
                "Ignoring an untrusted identity assertion (%s) on channel %s.",
                exc.reason,
                channel,
            )
    else:
        if verified.customer_id is not None:
            return Identity(verified.customer_id, channel, sender_id, "assertion")
        vouched = True  # our channel signed this sender, who has no customer yet

    # Rasa's rest channel lets a client name any input_channel and sender, so a WeChat
    # openid (not a secret) must not unlock its binding unless our channel vouched for it.
    # Session channels' sender ids are random session keys held by the client.
    if not vouched and channel not in SESSION_CHANNELS:
        return Identity(None, channel, sender_id, "anonymous")
    bound = await client.get_binding(channel, sender_id)
    if bound:
        return Identity(bound, channel, sender_id, "binding")
    return Identity(None, channel, sender_id, "anonymous")
