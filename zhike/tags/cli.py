"""``python -m zhike.tags``: check a rules file, recompute customers' automatic tags.

- ``check FILE``: validates a rules file; prints every problem (file, rule, field) and
  exits 1, or prints the rules and exits 0.
- ``recompute [--customer ID] [--rules FILE]``: computes and stores the automatic tags of
  one customer, or of every customer the desk knows (with conversations or tags), in the
  desk database (``ZHIKE_DESK_DB_URL``) from the business backend (``client_from_env``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from sqlalchemy import select

from zhike.lib.backend_client import client_from_env
from zhike.lib.handoff import HandoffDatabase
from zhike.lib.handoff.models import Conversation
from zhike.lib.tags import RulesInvalid, load_rules
from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.tags_db import tagged_customers
from zhike.servers.desk.tags_service import TagService, rules_path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m zhike.tags", description="客户画像 tags")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a rules file")
    check.add_argument("file", type=Path)
    recompute = commands.add_parser("recompute", help="recompute automatic tags")
    recompute.add_argument("--customer", help="only this customer id")
    recompute.add_argument("--rules", type=Path, help="rules file (default: ZHIKE_TAG_RULES)")
    recompute.add_argument("--db-url", help="desk database (default: ZHIKE_DESK_DB_URL)")
    return parser.parse_args(argv)


def check(path: Path, out: IO[str], err: IO[str]) -> int:
    """Validates ``path``; 0 when valid."""
    try:
        rules = load_rules(path)
    except RulesInvalid as invalid:
        for error in invalid.errors:
            print(error, file=err)
        print(f"{len(invalid.errors)} problem(s) in {path}", file=err)
        return 1
    for rule in rules:
        print(f"{rule.tag}: {rule.label} ({', '.join(sorted(rule.sources))})", file=out)
    print(f"OK: {len(rules)} rules in {path}", file=out)
    return 0


async def all_customers(handoff_db: HandoffDatabase, desk_db: DeskDatabase) -> list[str]:
    """Every customer with a conversation or tags."""
    query = select(Conversation.customer_id).where(Conversation.customer_id.is_not(None))
    async with handoff_db.session() as session:
        known = {str(c) for c in (await session.execute(query.distinct())).scalars()}
    return sorted(known | set(await tagged_customers(desk_db)))


async def recompute(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Recomputes the tags of ``--customer`` or of everyone; 0 when all succeeded."""
    settings = DeskSettings.from_env(db_url=args.db_url)
    handoff_db, desk_db = HandoffDatabase(settings.db_url), DeskDatabase(settings.db_url)
    backend = client_from_env()
    failed = 0
    try:
        await handoff_db.create_tables()
        await desk_db.create_tables()
        service = TagService(desk_db, handoff_db, lambda: backend, args.rules or rules_path())
        await service.rules()  # an invalid file stops here
        customers = [args.customer] if args.customer else await all_customers(handoff_db, desk_db)
        for customer_id in customers:
            try:
                count = await service.recompute(customer_id)
            except Exception as error:  # one customer's failure does not stop the others
                failed += 1
                print(f"{customer_id}: failed ({type(error).__name__})", file=err)
                continue
            print(f"{customer_id}: {count} tag(s)", file=out)
        print(f"recomputed {len(customers) - failed} of {len(customers)} customer(s)", file=out)
    except RulesInvalid as invalid:
        for problem in invalid.errors:
            print(problem, file=err)
        return 1
    finally:
        await backend.aclose()
        await handoff_db.dispose()
        await desk_db.dispose()
    return 1 if failed else 0


def main(
    argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None
) -> int:
    """Runs a command; the exit status."""
    args = parse_args(argv)
    out, err = out or sys.stdout, err or sys.stderr
    if args.command == "check":
        return check(args.file, out, err)
    return asyncio.run(recompute(args, out, err))
