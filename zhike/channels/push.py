"""Signed push delivery: messages that reach a customer outside a request.

A reply to an app request travels in the response. Anything later -- a human agent's
answer, a reminder, a notification sent through Rasa's
``/conversations/<id>/trigger_intent?output_channel=app`` -- is POSTed to the company
app backend's push callback URL, which forwards it to the phone (APNs, FCM, ...).

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

A 2xx answer delivers. Timeouts, connection errors, 408, 429 and 5xx are retried with
exponential backoff and jitter (1 s, 2 s, 4 s ... at most ``max_delay``; a numeric
``Retry-After`` is honoured up to ``max_delay``) until ``max_attempts``; any other answer
(400, 401, 404 ...) is a permanent failure. Failures are logged with the delivery id,
never with the message text. Messages to one customer are delivered one at a time, in
order; customers don't wait for each other. Pending deliveries live in memory: a
restart of the Rasa server loses those not yet delivered (logged at shutdown by
:meth:`PushDelivery.aclose`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)

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


class PushDelivery:
    """Delivers :class:`Delivery` objects to the push callback, in order per customer.

    Args:
        config: the callback and retry settings.
        sleep: waits between attempts (tests pass a fast one).
        clock: unix time for the timestamp header.
    """

    def __init__(
        self,
        config: PushConfig,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._queues: dict[str, deque[Delivery]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self.delivered = 0
        self.failed = 0

    def enqueue(self, delivery: Delivery) -> str:
        """Queues ``delivery`` and returns its id; sending happens in the background."""
        self._queues.setdefault(delivery.customer_id, deque()).append(delivery)
        worker = self._workers.get(delivery.customer_id)
        if worker is None or worker.done():
            self._workers[delivery.customer_id] = asyncio.create_task(
                self._work(delivery.customer_id)
            )
        return delivery.delivery_id

    @property
    def pending(self) -> int:
        """Deliveries queued or being attempted."""
        return sum(len(queue) for queue in self._queues.values())

    async def drain(self, timeout: float | None = None) -> None:
        """Waits until every queued delivery is delivered or dropped."""
        workers = [task for task in self._workers.values() if not task.done()]
        if workers:
            await asyncio.wait_for(asyncio.gather(*workers), timeout)

    async def aclose(self) -> None:
        """Stops sending; logs how many deliveries were still pending."""
        for task in self._workers.values():
            task.cancel()
        if self.pending:
            logger.error("push: %d deliveries were not delivered before shutdown", self.pending)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _work(self, customer_id: str) -> None:
        queue = self._queues[customer_id]
        while queue:
            await self._deliver(queue[0])
            queue.popleft()
        del self._queues[customer_id]

    async def _deliver(self, delivery: Delivery) -> None:
        body = delivery.body()
        for attempt in range(1, self.config.max_attempts + 1):
            outcome, retry_after = await self._attempt(delivery, body)
            if outcome == "delivered":
                self.delivered += 1
                return
            if outcome == "permanent" or attempt == self.config.max_attempts:
                break
            await self._sleep(self.config.delay(attempt, retry_after))
        self.failed += 1
        logger.error(
            "push: gave up on delivery %s to customer %s after %d attempt(s)",
            delivery.delivery_id,
            delivery.customer_id,
            attempt,
        )

    async def _attempt(self, delivery: Delivery, body: bytes) -> tuple[str, float | None]:
        timestamp = int(self._clock())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: delivery.delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(self.config.secret, timestamp, body),
        }
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.timeout)
        try:
            answer = await self._client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("push: delivery %s failed: %s", delivery.delivery_id, type(exc).__name__)
            return "retry", None
        if answer.is_success:
            return "delivered", None
        retriable = answer.status_code >= 500 or answer.status_code in RETRIABLE_STATUS
        logger.warning(
            "push: delivery %s answered HTTP %d%s",
            delivery.delivery_id,
            answer.status_code,
            "" if retriable else " (not retried)",
        )
        return ("retry" if retriable else "permanent"), _retry_after(answer)


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return float(answer.headers.get("retry-after", ""))
    except ValueError:
        return None
