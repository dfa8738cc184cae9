"""The desk's outbox dispatcher: delivers ``handoff_outbox`` rows to a reply sink, durably.

One background task per desk process claims due rows with a lease (see
:mod:`zhike.lib.handoff.outbox`), runs each attempt as its own task (different conversations
in parallel, one conversation strictly in order), records the outcome and retries
failures with exponential backoff and jitter until the retry policy gives up and the row
is dead (logged; supervisors see it). Writers wake it at once; it also looks every
``poll_interval`` for rows of other processes, due retries and rows a previous process
left behind.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from contextlib import suppress

from zhike.lib.handoff import DEAD, DELIVER, TAKEN_OVER, HandoffOutbox, OutboxInfo, OutboxItem
from zhike.servers.desk.config import DeliverySettings
from zhike.servers.desk.delivery.rasa_api import RasaApiError
from zhike.servers.desk.delivery.sink import Delivery, ReplySink

logger = logging.getLogger(__name__)


class OutboxDispatcher:
    """Delivers the handoff outbox to a :class:`~.sink.ReplySink` in the background.

    Start it inside the event loop that serves the desk and stop it before the database
    is disposed. Several dispatchers (processes) may share one database.

    Args:
        outbox: The outbox of the desk's handoff database.
        sink: Where notifications go.
        settings: Backoff, lease, polling and concurrency.
        name: This dispatcher's lease owner name (default: host, pid and a random part).
    """

    def __init__(
        self,
        outbox: HandoffOutbox,
        sink: ReplySink,
        settings: DeliverySettings | None = None,
        name: str | None = None,
    ) -> None:
        self.outbox = outbox
        self.sink = sink
        self.settings = settings or DeliverySettings()
        self.name = name or f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None  # made in start(), inside the loop
        self._stopping = False
        self._attempts: dict[asyncio.Task[None], int] = {}
        self._waiters: dict[int, list[tuple[int, asyncio.Future[bool | None]]]] = {}
        self._claims = 0
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def running(self) -> bool:
        """Whether the background task runs."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Starts the background task in the running loop (no-op when it runs)."""
        if self.running:
            return
        self._stopping = False
        self._wakeup = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="desk-outbox")
        logger.debug("Outbox dispatcher %s started", self.name)

    def wake(self) -> None:
        """Looks for due rows now (call it after writing one)."""
        if self._wakeup is not None:
            self._wakeup.set()

    async def stop(self) -> None:
        """Stops claiming, lets attempts in flight finish (``stop_grace``), releases the rest.

        A released row is due again at once for the next dispatcher; its attempt stays
        counted, so that one checks whether it arrived before sending again.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.wake()
        [crash] = await asyncio.gather(task, return_exceptions=True)
        if isinstance(crash, Exception):
            logger.error("Outbox dispatcher %s had crashed", self.name, exc_info=crash)
        attempts = dict(self._attempts)
        if attempts:
            _, late = await asyncio.wait(list(attempts), timeout=self.settings.stop_grace)
            for attempt in late:
                attempt.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                try:
                    await self.outbox.release(self.name, [attempts[a] for a in late])
                except Exception:
                    logger.warning("Releasing %d outbox rows failed", len(late), exc_info=True)
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for waiters in self._waiters.values():
            for _, future in waiters:
                if not future.done():
                    future.set_result(None)
        logger.debug("Outbox dispatcher %s stopped", self.name)

    async def first_attempt(self, outbox_id: int, timeout: float) -> bool | None:
        """Waits up to ``timeout`` s for this process's next attempt at a row.

        Returns True (delivered) or False (failed, retried later) for an attempt made
        here; None when none was made in time (the row waits behind an earlier one of its
        conversation, another process has it, or the dispatcher is stopped).
        """
        if not self.running or timeout <= 0:
            return None
        future: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        waiter = (self._claims, future)
        self._waiters.setdefault(outbox_id, []).append(waiter)
        self.wake()
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            waiters = self._waiters.get(outbox_id, [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._waiters.pop(outbox_id, None)

    async def _run(self) -> None:
        wakeup = self._wakeup
        assert wakeup is not None  # start() made it
        failures = 0
        while not self._stopping:
            wakeup.clear()
            free = self.settings.concurrency - len(self._attempts)
            if free > 0:
                try:
                    await self._claim(free)
                    failures = 0
                except Exception:
                    failures += 1
                    logger.warning(
                        "Claiming outbox rows failed (%d in a row); trying again",
                        failures,
                        exc_info=failures == 1,
                    )
            if self._stopping:
                break
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wakeup.wait(), self.settings.poll_interval)

    async def _claim(self, limit: int) -> None:
        self._claims += 1
        number = self._claims
        items = await self.outbox.claim(self.name, self.settings.lease, limit)
        loop = asyncio.get_running_loop()
        for item in items:
            attempt = loop.create_task(self._attempt(item), name=f"desk-outbox-{item.entry.id}")
            self._attempts[attempt] = item.entry.id
            attempt.add_done_callback(self._finished)
        if len(items) < limit:  # every claimable row was claimed: the others must wait
            claimed = {item.entry.id for item in items} | set(self._attempts.values())
            for outbox_id in [i for i in self._waiters if i not in claimed]:
                self._resolve(outbox_id, None, before=number)

    def _finished(self, attempt: asyncio.Task[None]) -> None:
        self._attempts.pop(attempt, None)
        if not attempt.cancelled() and attempt.exception() is not None:
            logger.error("Outbox attempt crashed", exc_info=attempt.exception())
        self.wake()

    async def _attempt(self, item: OutboxItem) -> None:
        entry = item.entry
        error: str | None = None
        try:
            await asyncio.wait_for(self._send(item), self.settings.attempt_timeout)
        except Exception as exc:
            error = describe(exc)
            logger.warning(
                "Attempt %d at outbox row %d (%s, conversation %d) failed: %s",
                item.attempt,
                entry.id,
                entry.kind,
                entry.conversation_id,
                error,
            )
        info: OutboxInfo | None = None
        try:
            info = await self.outbox.settle(item, self.name, error, self.settings.retry)
        except Exception:
            logger.warning("Recording outbox row %d failed; its lease runs out", entry.id)
        self._resolve(entry.id, error is None)
        if info is None or error is None:
            return
        if info.state == DEAD:
            logger.error(
                "Gave up outbox row %d (%s, conversation %d) after %d attempts: %s",
                entry.id,
                entry.kind,
                entry.conversation_id,
                info.attempts,
                error,
            )
            return
        delay = (info.next_attempt_at - self.outbox.now()).total_seconds()
        self._wake_later(max(delay, 0.0))

    async def _send(self, item: OutboxItem) -> None:
        delivery = Delivery(item.key, item.attempt)
        if item.entry.kind == DELIVER:
            assert item.message is not None  # a deliver row has its message
            await self.sink.deliver(item.conversation, item.message, delivery)
        elif item.entry.kind == TAKEN_OVER:
            await self.sink.taken_over(item.conversation, delivery)
        else:
            await self.sink.handed_back(item.conversation, delivery)

    def _resolve(self, outbox_id: int, outcome: bool | None, before: int | None = None) -> None:
        """Answers the waiters of a row (only those registered before claim ``before``)."""
        for registered, future in self._waiters.get(outbox_id, []):
            if (before is None or registered < before) and not future.done():
                future.set_result(outcome)

    def _wake_later(self, delay: float) -> None:
        if self._stopping:
            return
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(timer)
            self.wake()

        timer = loop.call_later(delay, fire)
        self._timers.add(timer)


def describe(error: BaseException) -> str:
    """A failure for logs and ``last_error``: never the customer's text."""
    if isinstance(error, RasaApiError):
        return str(error)[:200]  # fixed wording: unreachable, HTTP status, not JSON
    if isinstance(error, asyncio.TimeoutError):
        return "timed out"
    return type(error).__name__
