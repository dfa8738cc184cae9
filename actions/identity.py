"""Who sent the message an action is answering: verified customer or anonymous.

The channel decides, never the message text: a signed identity assertion in the
message metadata (app channel, signed web login), else a binding of this channel user
to a customer (WeChat openid, web user bound by phone + one-time code), else anonymous.
See :mod:`zhike.lib.identity.resolver`.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from functools import lru_cache

from rasa_sdk import Tracker

from actions.services import backend
from zhike.lib.backend_client import BackendUnavailable
from zhike.lib.identity.resolver import Identity, resolve_identity

_CACHE_SECONDS = 30.0
_CACHE_SIZE = 10_000
# (sender, message id) -> (when, identity): forms ask several times per message.
_cache: OrderedDict[tuple[str, str], tuple[float, Identity]] = OrderedDict()


@lru_cache(maxsize=1)
def identity_secret() -> str | None:
    """``ZHIKE_IDENTITY_SECRET``, read once (the Rasa server's channels sign with it)."""
    return os.environ.get("ZHIKE_IDENTITY_SECRET") or None


def input_channel(tracker: Tracker) -> str:
    """The channel of the latest message (``rest`` when Rasa did not record one)."""
    return tracker.get_latest_input_channel() or "rest"


def _key(tracker: Tracker) -> tuple[str, str]:
    message_id = str((tracker.latest_message or {}).get("message_id") or "")
    return tracker.sender_id, message_id


async def identify(tracker: Tracker, fresh: bool = False) -> Identity:
    """The identity of the conversation's sender for its latest message.

    Args:
        tracker: the conversation.
        fresh: look it up even when this process has it cached (right after an identity
            check, which another replica may have done).

    Raises:
        BackendUnavailable: the binding could not be looked up (the caller apologises).
    """
    key = _key(tracker)
    now = time.monotonic()
    cached = None if fresh else _cache.get(key)
    if cached is not None and now - cached[0] < _CACHE_SECONDS and key[1]:
        return cached[1]
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    identity = await resolve_identity(
        sender_id=tracker.sender_id,
        input_channel=input_channel(tracker),
        metadata=metadata,
        client=backend(),
        secret=identity_secret(),
    )
    _cache[key] = (now, identity)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return identity


async def known_customer_id(tracker: Tracker) -> str | None:
    """The sender's customer id, ``None`` when anonymous or when the backend is down.

    For actions that go on either way (a ticket, a handoff, a rating) and only attach the
    customer when known.
    """
    try:
        return (await identify(tracker)).customer_id
    except BackendUnavailable:
        return None


def forget_identity(tracker: Tracker) -> None:
    """Drops the cached identity of the sender (after binding their account)."""
    for key in [key for key in _cache if key[0] == tracker.sender_id]:
        del _cache[key]
