"""The knowledge-base command line: ``python -m zhike.kb [--db URL] COMMAND``.

- ``import FILE [--publish] [--mode merge|replace]``: CSV, YAML or XLSX by extension;
  prints how many entries were created, updated, archived and left unchanged. A bad row
  prints ``line N: reason`` on stderr (every bad row found), imports nothing, exits 1.
- ``export FILE [--all]``: every entry but archived ones (``--all``: those too).
- ``stats``: counts by status and category, and the revision.
- ``search "TEXT" [--k 5] [--json]``: the published entries that best match TEXT, as
  the robot finds them; ``search --file FILE``: one query per line in, one result per
  line out, the index built once. ``--json`` prints a JSON list of
  ``{"id", "question", "answer", "score"}`` per query, best first.

The database is ``--db``, else ``ZHIKE_KB_DB_URL``, else ``.zhike/kb.db`` (what
``make run`` uses). The CLI acts with the ``service`` role as ``--actor`` (default
``cli``): whoever can run it can write the database anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from zhike.kb.search import search
from zhike.lib.kb.db import KbDatabase
from zhike.lib.kb.domain import SERVICE, Actor
from zhike.lib.kb.errors import ImportFileError, KbError
from zhike.lib.kb.imports import MERGE, MODES
from zhike.lib.kb.io import export_file, format_of, parse_file
from zhike.lib.kb.service import KnowledgeBase
from zhike.lib.kb.settings import kb_db_url


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m zhike.kb``."""
    parser = argparse.ArgumentParser(prog="python -m zhike.kb", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", help="async SQLAlchemy URL (default: ZHIKE_KB_DB_URL or .zhike/kb.db)"
    )
    parser.add_argument("--actor", default="cli", help="name recorded in the history (default cli)")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("import", help="import a .csv, .yaml/.yml or .xlsx file")
    load.add_argument("file", type=Path)
    load.add_argument("--publish", action="store_true", help="publish what is imported")
    load.add_argument(
        "--mode",
        choices=MODES,
        default=MERGE,
        help="merge: update entries with the same question, add the rest; "
        "replace: also archive entries the file does not contain",
    )
    save = commands.add_parser("export", help="export to a .csv, .yaml/.yml or .xlsx file")
    save.add_argument("file", type=Path)
    save.add_argument("--all", action="store_true", help="archived entries too")
    commands.add_parser("stats", help="counts by status and category, and the revision")
    find = commands.add_parser("search", help="the published entries that best match a text")
    find.add_argument("text", nargs="?", help="the customer's words")
    find.add_argument("--file", type=Path, help="one query per line (instead of TEXT)")
    find.add_argument("--k", type=int, default=5, help="entries per query (default 5)")
    find.add_argument("--json", action="store_true", help="print JSON lists")
    return parser


async def _import(kb: KnowledgeBase, args: argparse.Namespace, actor: Actor) -> None:
    items = parse_file(args.file)
    report = await kb.import_entries(items, mode=args.mode, actor=actor, publish=args.publish)
    print(
        f"created {report.created}, updated {report.updated}, archived {report.archived}, "
        f"unchanged {report.unchanged} (published {report.published}; "
        f"revision {report.revision})"
    )


async def _export(kb: KnowledgeBase, args: argparse.Namespace) -> None:
    format_of(args.file)
    entries = await kb.all_entries(include_archived=args.all)
    export_file(entries, args.file)
    print(f"exported {len(entries)} entries to {args.file}")


async def _stats(kb: KnowledgeBase) -> None:
    stats = await kb.stats()
    print(f"revision {stats.revision}")
    print(f"entries {stats.total} (live {stats.live})")
    for status, count in stats.by_status.items():
        print(f"  {status:<10} {count}")
    print("categories (archived excluded)")
    for category, count in stats.by_category.items():
        print(f"  {category or '(none)'}  {count}")


async def run(args: argparse.Namespace) -> None:
    """Runs one command on the database ``args.db``."""
    db = KbDatabase(args.db or kb_db_url(os.environ))
    try:
        await db.create_tables()
        kb = KnowledgeBase(db)
        if args.command == "import":
            await _import(kb, args, Actor(args.actor, SERVICE))
        elif args.command == "export":
            await _export(kb, args)
        elif args.command == "search":
            await search(kb, args)
        else:
            await _stats(kb)
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI; the exit status (0 done, 1 refused or bad file, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "search" and (args.text is None) == (args.file is None):
        parser.error("search needs TEXT or --file FILE (one of them)")
    if args.command == "search" and not 1 <= args.k <= 50:
        parser.error("--k must be between 1 and 50")
    try:
        asyncio.run(run(args))
    except ImportFileError as error:
        for line_error in error.errors:
            where = str(line_error) if line_error.line is not None else f"{args.file}: {line_error}"
            print(where, file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    except KbError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 1
    return 0
