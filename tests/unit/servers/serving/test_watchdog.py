"""The event-loop watchdog notices a blocked loop, logs it and reports unhealthy."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from zhike.servers.serving.watchdog import LoopWatchdog


async def test_a_blocked_loop_is_logged_with_its_stack_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watchdog = LoopWatchdog(threshold=0.3, interval=0.05, recovery=5.0)
    watchdog.start()
    await asyncio.sleep(0.2)
    assert not watchdog.unhealthy()
    with caplog.at_level(logging.WARNING, logger="zhike.servers.serving.watchdog"):
        time.sleep(0.8)  # a blocking call on the loop, the bug the watchdog is for
        await asyncio.sleep(0.2)
    watchdog.stop()
    blocked = [r.getMessage() for r in caplog.records if "Event loop blocked" in r.getMessage()]
    assert len(blocked) == 1
    assert "test_a_blocked_loop_is_logged" in blocked[0]  # where the loop was stuck
    assert watchdog.episodes == 1
    assert watchdog.unhealthy()  # within the recovery window after the block


def test_health_recovers_after_the_recovery_window() -> None:
    watchdog = LoopWatchdog(threshold=1.0, interval=0.5, recovery=10.0)
    start = watchdog._beat
    watchdog.check(start + 2.0)  # blocked
    assert watchdog.unhealthy(start + 2.0)
    watchdog._beat = start + 3.0  # the loop beats again
    watchdog.check(start + 3.1)
    assert watchdog.unhealthy(start + 3.2)
    watchdog._beat = start + 13.4  # still beating ten seconds later
    assert not watchdog.unhealthy(start + 13.5)
