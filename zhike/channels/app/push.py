"""Signed, durable push delivery: messages that reach a customer outside a request.

A reply to an app request travels in the response. Anything later -- a human agent's
answer, the rating question, a notification sent through Rasa's
``/conversations/<id>/trigger_intent?output_channel=app`` -- is POSTed to the company
app backend's push callback URL, which forwards it to the phone (APNs, FCM, ...). The
body, headers and signature are described in :mod:`zhike.channels.app.push_protocol` (and
re-exported here).

A 2xx answer delivers. Timeouts, connection errors, 408, 425, 429 and 5xx are retried
with exponential backoff and jitter (1 s, 2 s, 4 s ... at most ``max_delay``; a numeric
``Retry-After`` is honoured up to ``max_delay``) until ``max_attempts``; any other answer
(400, 401, 404 ...) is a permanent failure, not retried. Messages to one customer are
delivered one at a time, in order; customers don't wait for each other. Failures are
logged with the delivery id, never with the message text or the customer.

Durability: with a journal (:class:`~zhike.channels.app.push_store.PushStoreSettings`, the
app channel's default) each delivery is stored before its first attempt, and each
attempt's outcome after it. A process that stops leaves its pending deliveries in the
journal; the next :meth:`PushDelivery.start` (at server start, or the first push) resumes
them with the same ``delivery_id``, ahead of newer messages to the same customer. A
process that died without stopping holds its rows until its lease runs out (30 s by
default); then any live process resumes them (after what it queued itself). Delivery is
at least once: a crash between the backend's answer and the journal's update sends that
delivery again, so the backend deduplicates on ``delivery_id``. When the journal itself
fails, deliveries carry on in memory (a warning is logged) and are stored again once it
works. Delivered and failed rows are deleted after ``retention`` (7 days). A worker that
fails unexpectedly is logged (:func:`zhike.channels.tasks.spawn`), never silently lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from zhike.channels.app.push_journal import PushJournal
from zhike.channels.app.push_protocol import (
    DEFAULT_REPLAY_WINDOW,
    DELIVERY_HEADER,
    RETRIABLE_STATUS,
    SIGNATURE_HEADER,
    SIGNATURE_VERSION,
    TIMESTAMP_HEADER,
    Delivery,
    PushConfig,
    signature,
    verify_signature,
)
from zhike.channels.app.push_store import DELIVERED, FAILED, PushStoreSettings, StoredPush
from zhike.channels.tasks import spawn

__all__ = [
    "DEFAULT_REPLAY_WINDOW",
    "DELIVERY_HEADER",
    "RETRIABLE_STATUS",
    "SIGNATURE_HEADER",
    "SIGNATURE_VERSION",
    "TIMESTAMP_HEADER",
    "Delivery",
    "PushConfig",
    "PushDelivery",
    "PushStoreSettings",
    "signature",
    "verify_signature",
]

logger = logging.getLogger(__name__)


@dataclass
class _Job:
    """A delivery in this process's queue: the exact body and the retry state."""

    delivery_id: str
    customer_id: str
    body: bytes
    queued_at: float
    attempts: int = 0
    due: float = 0.0  # unix seconds of the next attempt
    stored: bool = False


class PushDelivery:
    """Delivers :class:`Delivery` objects to the push callback, in order per customer.

    With ``store`` every delivery is journaled (:mod:`zhike.channels.app.push_journal`) and
    :meth:`start` resumes those a stopped process left pending; without it they live in
    memory only.

    Args:
        config: the callback and retry settings.
        sleep: waits between attempts (tests pass a fast one).
        clock: unix time for the timestamp header, the journal and due retries.
        store: the journal's database; ``None``: memory only.
    """

    def __init__(
        self,
        config: PushConfig,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        store: PushStoreSettings | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._journal = PushJournal(store, clock) if store else None
        self._queues: dict[str, deque[_Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._started: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self.delivered = 0
        self.failed = 0

    async def start(self) -> None:
        """Opens the journal and resumes pending deliveries of stopped processes.

        Called by the first delivery, or at server start; later calls wait for the first.
        Resumed deliveries keep their ``delivery_id`` and go before this process's own.
        """
        if self._started is None:
            self._started = spawn(self._start(), "app push journal start")
        await asyncio.shield(self._started)

    async def submit(self, delivery: Delivery) -> str:
        """Stores ``delivery`` in the journal, queues it and returns its id."""
        await self.start()
        job = _job(delivery)
        if self._journal is not None:
            job.stored = await self._journal.add(
                job.delivery_id, job.customer_id, job.body, job.queued_at
            )
        self._queue(job)
        return job.delivery_id

    def enqueue(self, delivery: Delivery) -> str:
        """Queues ``delivery`` and returns its id; it is stored before its first attempt."""
        self._queue(_job(delivery))
        return delivery.delivery_id

    @property
    def pending(self) -> int:
        """Deliveries queued or being attempted."""
        return sum(len(queue) for queue in self._queues.values())

    async def drain(self, timeout: float | None = None) -> None:
        """Waits until every queued (and resumed) delivery is delivered or dropped."""

        async def idle() -> None:
            await self.start()
            while workers := [task for task in self._workers.values() if not task.done()]:
                await asyncio.gather(*workers)

        await asyncio.wait_for(idle(), timeout)

    async def aclose(self) -> None:
        """Stops sending; pending deliveries stay journaled for the next :meth:`start`.

        Those that are not (no journal, or it failed) are lost: logged as an error.
        """
        tasks = [*self._workers.values(), *([self._keeper] if self._keeper else [])]
        if self._started is not None and not self._started.done():
            tasks.append(self._started)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        jobs = [job for queue in self._queues.values() for job in queue]
        kept = self._journal is not None and await self._journal.close()
        lost = [job for job in jobs if not (kept and job.stored)]
        if lost:
            logger.error("push: %d deliveries were not delivered before shutdown", len(lost))
        if len(jobs) > len(lost):
            logger.info(
                "push: %d pending deliveries left for the next start", len(jobs) - len(lost)
            )
        self._queues.clear()
        self._workers.clear()
        self._started = self._keeper = None  # a later start() opens the journal again
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _start(self) -> None:
        if self._journal is None:
            return
        resumed = await self._journal.open()
        self._resume(resumed, first=True)
        self._keeper = spawn(self._keep(), "app push journal upkeep")

    async def _keep(self) -> None:
        """Renews leases, finds orphaned rows and keeps the journal tidy, until closed."""
        assert self._journal is not None
        while True:
            await asyncio.sleep(self._journal.interval)
            self._resume(await self._journal.maintain(), first=False)

    def _resume(self, rows: list[StoredPush], first: bool) -> None:
        """Queues journaled rows; at start before anything this process queued."""
        if rows:
            logger.info("push: resuming %d pending deliveries", len(rows))
        by_customer: dict[str, list[_Job]] = {}
        for row in rows:
            job = _Job(row.delivery_id, row.customer_id, row.body, 0.0, row.attempts)
            job.due, job.stored = row.next_attempt_at, True
            by_customer.setdefault(row.customer_id, []).append(job)
        for customer_id, jobs in by_customer.items():
            queue = self._queues.setdefault(customer_id, deque())
            if first:
                queue.extendleft(reversed(jobs))
            else:
                queue.extend(jobs)
            self._wake(customer_id)

    def _queue(self, job: _Job) -> None:
        self._queues.setdefault(job.customer_id, deque()).append(job)
        self._wake(job.customer_id)

    def _wake(self, customer_id: str) -> None:
        worker = self._workers.get(customer_id)
        if worker is None or worker.done():
            self._workers[customer_id] = spawn(self._work(customer_id), "app push worker")

    async def _work(self, customer_id: str) -> None:
        await self.start()  # resumed deliveries first
        queue = self._queues[customer_id]
        while queue:
            await self._deliver(queue[0])
            queue.popleft()
        del self._queues[customer_id]

    async def _deliver(self, job: _Job) -> None:
        journal = self._journal
        wait = min(job.due - self._clock(), self.config.max_delay)
        if wait > 0:  # a resumed delivery whose retry is not due yet
            await self._sleep(wait)
        while True:
            if journal is not None and not job.stored:
                job.stored = await journal.add(
                    job.delivery_id, job.customer_id, job.body, job.queued_at
                )
            job.attempts += 1
            outcome, retry_after, error = await self._attempt(job)
            if outcome == "delivered":
                self.delivered += 1
                if journal is not None and job.stored:
                    await journal.finish(job.delivery_id, DELIVERED, job.attempts, None)
                return
            if outcome == "permanent" or job.attempts >= self.config.max_attempts:
                break
            delay = self.config.delay(job.attempts, retry_after)
            job.due = self._clock() + delay
            if journal is not None and job.stored:
                await journal.retry_at(job.delivery_id, job.attempts, job.due, error)
            await self._sleep(delay)
        self.failed += 1
        if journal is not None and job.stored:
            await journal.finish(job.delivery_id, FAILED, job.attempts, error)
        logger.error(
            "push: gave up on delivery %s after %d attempt(s) (%s)",
            job.delivery_id,
            job.attempts,
            error,
        )

    async def _attempt(self, job: _Job) -> tuple[str, float | None, str]:
        """One POST: ``(delivered/retry/permanent, Retry-After seconds, error)``."""
        timestamp = int(self._clock())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: job.delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(self.config.secret, timestamp, job.body),
        }
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.timeout)
        try:
            answer = await self._client.post(self.config.url, content=job.body, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("push: delivery %s failed: %s", job.delivery_id, type(exc).__name__)
            return "retry", None, type(exc).__name__
        if answer.is_success:
            return "delivered", None, ""
        retriable = answer.status_code >= 500 or answer.status_code in RETRIABLE_STATUS
        logger.warning(
            "push: delivery %s answered HTTP %d%s",
            job.delivery_id,
            answer.status_code,
            "" if retriable else " (not retried)",
        )
        outcome = "retry" if retriable else "permanent"
        return outcome, _retry_after(answer), f"HTTP {answer.status_code}"


def _job(delivery: Delivery) -> _Job:
    return _Job(delivery.delivery_id, delivery.customer_id, delivery.body(), time.time())


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return float(answer.headers.get("retry-after", ""))
    except ValueError:
        return None
