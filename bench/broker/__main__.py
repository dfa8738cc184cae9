"""`python -m bench.broker`: events/s of the SQL event broker, one commit per event vs. batched.

Publishes ``--events`` (5,000) Rasa-shaped events of 10 conversations (user and bot
events with a phone number to mask) as fast as Rasa's loop can, then closes the broker
(which waits until everything is written), into a fresh SQLite file in a temp dir. It
measures the wall clock from the first ``publish`` to the end of ``close()``, the time
the loop spent inside ``publish`` and the commits, for

* ``per-event``: the writer as it was before batching (one thread, one transaction per
  event, Rasa's own ``SQLEventBroker.publish``), kept here for comparison only, and
* ``batched``: :class:`zhike.analytics.broker.MaskingSQLEventBroker` as it is.

Each variant runs ``--runs`` times (the median is shown); the load average is printed
because the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from rasa.core.brokers.sql import SQLEventBroker

from zhike.analytics.broker import MaskingSQLEventBroker, masked_event


class PerEventBroker(MaskingSQLEventBroker):
    """The broker before batching: each event in its own transaction (comparison only)."""

    def publish(self, event: dict[str, Any]) -> None:
        """Queues one write (one commit) of the masked event."""
        self._writer.submit(self._write_one, masked_event(event))

    def _write_one(self, event: dict[str, Any]) -> None:
        SQLEventBroker.publish(self, event)


VARIANTS: dict[str, type[MaskingSQLEventBroker]] = {
    "per-event": PerEventBroker,
    "batched": MaskingSQLEventBroker,
}


def events(count: int, conversations: int = 10) -> list[dict[str, Any]]:
    """``count`` events of ``conversations`` senders, interleaved, as Rasa publishes them."""
    found = []
    for i in range(count):
        sender = f"bench-{i % conversations}"
        if i % 2 == 0:
            event = {
                "event": "user",
                "text": f"查一下订单HP2024{i:04d}，手机13800138001",
                "parse_data": {"intent": {"name": "query_order", "confidence": 0.93}},
                "input_channel": "rest",
                "message_id": f"m{i}",
            }
        else:
            event = {"event": "bot", "text": "您的订单已发货，正在运输中。", "data": {}}
        found.append({"sender_id": sender, "timestamp": 1_764_000_000 + i, **event})
    return found


@dataclass
class Run:
    """One measured run."""

    seconds: float
    publish_seconds: float
    commits: int
    rows: int


async def run_once(variant: str, batch: list[dict[str, Any]], folder: Path) -> Run:
    """Publishes ``batch`` through a fresh broker of ``variant`` and waits for the writes."""
    path = folder / f"{variant}-{time.monotonic_ns()}.db"
    broker = VARIANTS[variant](dialect="sqlite", db=str(path))
    commits: list[int] = []
    sqlalchemy.event.listen(broker.engine, "commit", lambda _connection: commits.append(1))
    start = time.perf_counter()
    publishing = 0.0
    for index, event in enumerate(batch):
        before = time.perf_counter()
        broker.publish(event)
        publishing += time.perf_counter() - before
        if index % 10 == 9:
            await asyncio.sleep(0)  # the loop goes on serving other conversations
    await broker.close()
    seconds = time.perf_counter() - start
    with broker.engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT count(*) FROM events")).scalar_one()
    broker.engine.dispose()
    return Run(seconds, publishing, len(commits), int(rows))


async def measure(count: int, runs: int) -> dict[str, list[Run]]:
    """Every variant ``runs`` times, alternating."""
    batch = events(count)
    results: dict[str, list[Run]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="zhike-bench-broker-") as folder:
        for _ in range(runs):
            for name in VARIANTS:
                results[name].append(await run_once(name, batch, Path(folder)))
    return results


def table(results: dict[str, list[Run]], count: int) -> str:
    """The results as a Markdown table (medians)."""
    lines = [
        "| writer | events/s | wall s | publish ms (loop) | commits | rows |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, found in results.items():
        seconds = statistics.median(r.seconds for r in found)
        lines.append(
            f"| {name} | {count / seconds:,.0f} | {seconds:.2f} | "
            f"{1000 * statistics.median(r.publish_seconds for r in found):.0f} | "
            f"{statistics.median(r.commits for r in found):.0f} | "
            f"{min(r.rows for r in found)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark and prints the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.broker", description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = asyncio.run(measure(args.events, args.runs))
    print(f"{args.events} events, {args.runs} runs each, median; load average {os.getloadavg()}")
    print(table(results, args.events))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
