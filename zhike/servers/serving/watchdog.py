"""An event-loop watchdog: notices when a server's loop is blocked and says so.

A coroutine on the loop records a heartbeat every ``interval`` seconds; a daemon thread
checks it. When the heartbeat is older than ``threshold`` seconds the loop is blocked (a
CPU-bound call, a blocking I/O call, an endless loop): the thread logs a warning once per
episode with the loop thread's current stack (masked), and :meth:`LoopWatchdog.unhealthy`
stays true while blocked and for ``recovery`` seconds after, so a production health check
can take the process out of rotation.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback

from zhike.common.privacy import mask_text

logger = logging.getLogger(__name__)


class LoopWatchdog:
    """Watches one asyncio loop from a daemon thread.

    Args:
        threshold: seconds without a heartbeat that count as blocked.
        interval: seconds between heartbeats and between checks.
        recovery: seconds the process still reports unhealthy after a block ended.
    """

    def __init__(self, threshold: float = 3.0, interval: float = 0.5, recovery: float = 60.0):
        self.threshold = threshold
        self.interval = interval
        self.recovery = recovery
        self._beat = time.monotonic()
        self._blocked_since: float | None = None
        self._last_block_end: float | None = None
        self._loop_thread_id: int | None = None
        self._stop = threading.Event()
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self.episodes = 0

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Starts the heartbeat on ``loop`` (the running one) and the checking thread."""
        loop = loop or asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        self._beat = time.monotonic()
        self._task = loop.create_task(self._heartbeat(), name="zhike-loop-watchdog")
        self._thread = threading.Thread(target=self._watch, name="zhike-loop-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops the heartbeat and the thread."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()

    async def _heartbeat(self) -> None:
        while not self._stop.is_set():
            self._beat = time.monotonic()
            await asyncio.sleep(self.interval)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        """Compares the last heartbeat with ``now`` and records a block's start or end."""
        lag = now - self._beat
        if lag > self.threshold:
            if self._blocked_since is None:
                self._blocked_since = self._beat
                self.episodes += 1
                logger.warning(
                    "Event loop blocked for %.1f s (threshold %.1f s); it is running:\n%s",
                    lag,
                    self.threshold,
                    self._loop_stack(),
                )
        elif self._blocked_since is not None:
            logger.warning("Event loop answering again after %.1f s", now - self._blocked_since)
            self._blocked_since = None
            self._last_block_end = now

    def _loop_stack(self) -> str:
        frame = sys._current_frames().get(self._loop_thread_id or -1)
        if frame is None:
            return "(stack unavailable)"
        return mask_text("".join(traceback.format_stack(frame, limit=12)))

    def unhealthy(self, now: float | None = None) -> bool:
        """Whether the loop is blocked now or was within the last ``recovery`` seconds."""
        now = time.monotonic() if now is None else now
        if self._blocked_since is not None or now - self._beat > self.threshold:
            return True
        return self._last_block_end is not None and now - self._last_block_end < self.recovery
