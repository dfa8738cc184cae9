"""``python -m zhike.qa inspect --since ISO``: inspect finished conversations (backfill).

Inspects every conversation an agent served that was closed (or rated) since the given
time, and every bot-only conversation that ended since then, and stores their records in
the desk database, as the desk's background job does (:mod:`zhike.lib.qa.jobs`). Records
are replaced, never duplicated, so running it twice is harmless; ``--all`` re-inspects
conversations inspected before too (after a change of the word list or the rules). The
database is ``--db-url`` or the desk's (``ZHIKE_DESK_DB_URL``, else ``.zhike/handoff.db``);
the whole transcripts come from ``--analytics-db-url`` or ``ZHIKE_ANALYTICS_DB_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.settings import settings_from_env
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.qa.jobs import backfill
from zhike.lib.qa.service import QaService
from zhike.lib.qa.store import QaDatabase
from zhike.servers.desk.config import DeskSettings


def _since(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or time: {value!r}") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    root = argparse.ArgumentParser(prog="python -m zhike.qa", description="智能质检 (zhike)")
    commands = root.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="inspect closed conversations since a time")
    inspect.add_argument("--since", type=_since, required=True, help="ISO date or time (UTC)")
    inspect.add_argument("--db-url", help="async SQLAlchemy URL of the desk database")
    inspect.add_argument("--analytics-db-url", help="async SQLAlchemy URL of the analytics tables")
    inspect.add_argument("--all", action="store_true", help="re-inspect inspected ones too")
    return root


async def inspect(
    db_url: str, analytics_url: str, since: datetime, everything: bool
) -> tuple[int, int]:
    """Inspects the conversations; (how many inspected, how many flagged)."""
    handoff_db, analytics = HandoffDatabase(db_url), AnalyticsDatabase(analytics_url)
    try:
        await handoff_db.create_tables()
        await analytics.create_tables()
        service = QaService(
            QaDatabase.sharing(handoff_db), HandoffService(handoff_db), analytics=analytics
        )
        await service.ensure()
        result = await backfill(service, since, everything)
        return result.inspected, result.flagged
    finally:
        await handoff_db.dispose()
        await analytics.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; the exit status."""
    args = parser().parse_args(argv)
    db_url = args.db_url or DeskSettings.from_env().db_url
    analytics_url = args.analytics_db_url or settings_from_env().db_url
    inspected, flagged = asyncio.run(inspect(db_url, analytics_url, args.since, args.all))
    print(f"已质检 {inspected} 个会话，其中 {flagged} 个需要复核")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
