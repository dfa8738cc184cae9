"""Runs the load test against a running stack and reads the Rasa log written meanwhile."""

from __future__ import annotations

import asyncio
import time

from bench.loadtest.client import run_load
from bench.loadtest.counts import LoadTestResult
from bench.loadtest.rasa_log import count_action_failures, log_size, read_from
from bench.metrics import PeakRss
from zhike.tools.stack import Stack

CONVERSATIONS = 200
TIME_LIMIT = 600.0  # seconds for the whole run, then whatever is in flight is cancelled
LOG_SETTLE_SECONDS = 2.0  # lets the Rasa server write its last log lines


def run_on_stack(
    stack: Stack, conversations: int = CONVERSATIONS, time_limit: float = TIME_LIMIT
) -> LoadTestResult:
    """Runs ``conversations`` conversations at once against ``stack``'s REST channel.

    Counts the failed action calls the Rasa server logged during the run (only the part
    of its log written after the start) and its peak RSS, children included.
    """
    rasa = next(service for service in stack.services if service.name == "rasa")
    offset = log_size(rasa.log_path)
    sampler = PeakRss(rasa.process.pid).start() if rasa.process is not None else None
    try:
        result = asyncio.run(run_load(stack.config.rasa_url, conversations, time_limit))
    finally:
        peak = sampler.stop() if sampler is not None else None
    time.sleep(LOG_SETTLE_SECONDS)
    result.peak_rss_mb = peak
    if rasa.log_path is not None:
        result.action_failures = count_action_failures(read_from(rasa.log_path, offset))
    return result
