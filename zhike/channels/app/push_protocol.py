"""The wire format of app pushes: the JSON body, its HMAC signature and the retry timing.

Each delivery is one JSON object::

    {"delivery_id": "6f1c...",          # the same on every retry: deduplicate on it
     "customer_id": "C001",
     "sender_id": "app:C001",           # the Rasa conversation id
     "created_at": 1718000000,          # unix seconds, when the bot sent it
     "message": {"text": "...", "buttons": [...]}}   # like one REST channel reply

with the headers ``X-Zhike-Delivery`` (the delivery id), ``X-Zhike-Timestamp`` (unix
seconds of this attempt) and ``X-Zhike-Signature: v1=<hex>``, the HMAC-SHA256 with the
push secret of ``<timestamp>.<raw body>`` (:func:`signature`). A receiver checks it with
:func:`verify_signature`: constant-time compare, and a timestamp within five minutes, so
a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SIGNATURE_HEADER = "X-Zhike-Signature"
TIMESTAMP_HEADER = "X-Zhike-Timestamp"
DELIVERY_HEADER = "X-Zhike-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_REPLAY_WINDOW = 300
RETRIABLE_STATUS = frozenset({408, 425, 429})


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Zhike-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    window: int = DEFAULT_REPLAY_WINDOW,
) -> bool:
    """Whether a push request is genuine and fresh (for the receiving app backend).

    Args:
        secret: the shared push secret.
        headers: the request headers (a case-insensitive mapping, or lower/Title case).
        body: the raw request body, exactly as received.
        now: current unix time (default ``time.time()``).
        window: seconds the timestamp may differ from ``now``.
    """

    def header(name: str) -> str:
        return str(headers.get(name) or headers.get(name.lower()) or "")

    try:
        timestamp = int(header(TIMESTAMP_HEADER))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > window:
        return False
    return hmac.compare_digest(header(SIGNATURE_HEADER), signature(secret, timestamp, body))


@dataclass(frozen=True)
class PushConfig:
    """Where and how to push.

    Attributes:
        url: the app backend's push callback URL.
        secret: the HMAC secret shared with the app backend.
        max_attempts: attempts per delivery before it is dropped (logged as an error).
        base_delay: seconds before the first retry; doubles on each further retry.
        max_delay: the longest wait between two attempts.
        timeout: seconds one attempt may take.
        jitter: each wait is randomly shortened or lengthened by up to this fraction.
    """

    url: str
    secret: str
    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 5.0
    jitter: float = 0.2

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        wait = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        if retry_after is not None:
            wait = min(self.max_delay, max(wait, retry_after))
        return max(0.0, wait * (1 + random.uniform(-self.jitter, self.jitter)))


@dataclass
class Delivery:
    """One message on its way to one customer."""

    customer_id: str
    sender_id: str
    message: dict[str, Any]
    delivery_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: int = field(default_factory=lambda: int(time.time()))

    def body(self) -> bytes:
        """The JSON body, identical on every attempt."""
        payload = {
            "delivery_id": self.delivery_id,
            "customer_id": self.customer_id,
            "sender_id": self.sender_id,
            "created_at": self.created_at,
            "message": self.message,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
