"""``python -m zhike.analytics``: the consumer service, the summary and transcript export.

* ``consume [--host H] [--health-port P] [--once]`` — runs the consumer until SIGINT or
  SIGTERM (``--once``: catches up and exits); ``GET /health`` on the port when given.
* ``summary [--since ISO] [--until ISO] [--json]`` — the summary of the period (the
  fields of ``GET /api/desk/v1/analytics/summary``), as JSON or as a short table. It
  reads the analytics database as it is; run ``consume --once`` first to catch up.
* ``export-transcripts --since ISO [--until ISO] --out FILE`` — every customer, bot and
  agent message of the conversations that started in the period, masked, as CSV
  (:mod:`zhike.analytics.transcripts`); prints how many lines it wrote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from zhike.analytics.consumer import Consumer, serve_health
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.export import BOM
from zhike.analytics.report import SUMMARY_FIELDS, BadPeriod, Reports, period
from zhike.analytics.settings import AnalyticsSettings, settings_from_env
from zhike.analytics.transcripts import HEADER, csv_lines, transcript_rows
from zhike.common.database import safe_url
from zhike.common.privacy import install_log_masking

logger = logging.getLogger("zhike.analytics")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m zhike.analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    consume = commands.add_parser("consume", help="run the analytics consumer")
    consume.add_argument("--host", default="127.0.0.1", help="health endpoint address")
    consume.add_argument("--health-port", type=int, default=0, help="0: no health endpoint")
    consume.add_argument("--once", action="store_true", help="catch up, then exit")
    summary = commands.add_parser("summary", help="print the KPIs of a period")
    summary.add_argument("--since", help="ISO 8601 date or time (default: 7 days ago)")
    summary.add_argument("--until", help="ISO 8601 date or time (default: now)")
    summary.add_argument("--json", action="store_true", help="one JSON object")
    transcripts = commands.add_parser(
        "export-transcripts", help="write the period's whole transcripts (masked) as CSV"
    )
    transcripts.add_argument("--since", required=True, help="ISO 8601 date or time")
    transcripts.add_argument("--until", help="ISO 8601 date or time (default: now)")
    transcripts.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    return parser.parse_args(argv)


async def consume(settings: AnalyticsSettings, args: argparse.Namespace) -> int:
    """Runs the consumer (see the module docstring)."""
    db = AnalyticsDatabase(settings.db_url)
    consumer = Consumer(settings, db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = None
    try:
        await consumer.start()
        if args.once:
            await consumer.drain()
            return 0
        if args.health_port:
            server = await serve_health(consumer, args.host, args.health_port)
        logger.info(
            "analytics consumer: %s source into %s", settings.source, safe_url(settings.db_url)
        )
        await consumer.run(stop)
    finally:
        if server is not None:
            server.close()
        await consumer.close()
        await db.dispose()
    return 0


async def summary(settings: AnalyticsSettings, args: argparse.Namespace) -> dict[str, Any]:
    """The summary document of the period on the command line."""
    since, until = period(args.since, args.until, settings.zone)
    db = AnalyticsDatabase(settings.db_url)
    try:
        await db.create_tables()
        return await Reports(db, settings).summary(since, until)
    finally:
        await db.dispose()


async def export_transcripts(settings: AnalyticsSettings, args: argparse.Namespace) -> int:
    """Writes the transcripts CSV to ``args.out``; returns the number of message lines."""
    since, until = period(args.since, args.until, settings.zone)
    db = AnalyticsDatabase(settings.db_url)
    lines = 0
    try:
        await db.create_tables()
        partial = args.out.with_name(args.out.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.write(BOM + csv_lines([HEADER]))
            async for rows in transcript_rows(db, since, until, settings.zone):
                handle.write(csv_lines(rows))
                lines += len(rows)
        partial.replace(args.out)  # a failed export leaves no half file under the name
    finally:
        await db.dispose()
    return lines


def _table(document: dict[str, Any]) -> str:
    lines = [f"{document['since']} – {document['until']}"]
    lines += [f"  {name:<22} {document.get(name)}" for name in SUMMARY_FIELDS]
    for channel, values in document.get("by_channel", {}).items():
        lines.append(f"  [{channel}] conversations={values['conversations']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2: bad arguments or settings)."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_log_masking()
    try:
        settings = settings_from_env()
        if args.command == "consume":
            return asyncio.run(consume(settings, args))
        if args.command == "export-transcripts":
            written = asyncio.run(export_transcripts(settings, args))
            print(f"{written} messages written to {args.out}")
            return 0
        document = asyncio.run(summary(settings, args))
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (BadPeriod, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(document, ensure_ascii=False) if args.json else _table(document))
    return 0
