"""``python -m zhike.servers.desk [--host H] [--port P] [--db-url URL]`` and ``... create-agent``.

``create-agent`` adds a handoff agent with a desk account; its password is read from
standard input (first line) or, on a terminal, prompted twice. It never comes from argv.

Log lines are masked (:func:`zhike.common.privacy.install_log_masking`) and the process hardened
(:func:`zhike.servers.serving.harden_process`). In production (no
``ZHIKE_ENV=development``) the server refuses to start without a strong
``ZHIKE_DESK_RASA_TOKEN`` (:func:`zhike.servers.desk.config.check_production`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from sanic import Sanic

from zhike.common.database import safe_url
from zhike.common.deployment import ConfigurationError
from zhike.common.privacy import install_log_masking
from zhike.lib.handoff import SKILL_GROUPS, HandoffError
from zhike.servers.desk.app import API_PREFIX, create_app
from zhike.servers.desk.config import DeskSettings, check_production
from zhike.servers.desk.context import open_context
from zhike.servers.desk.delivery.rasa_api import hide_tokens_in_logs
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.models import ROLES
from zhike.servers.desk.passwords import password_problem
from zhike.servers.serving import harden_process

logger = logging.getLogger("zhike.servers.desk")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parses the command line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db-url",
        default=argparse.SUPPRESS,
        help="SQLAlchemy async URL of the handoff database (default: env ZHIKE_DESK_DB_URL, "
        "else sqlite+aiosqlite:///./.zhike/handoff.db)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m zhike.servers.desk",
        description="Run the zhike agent desk API, or add an agent account.",
        parents=[common],
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5090, help="port (default 5090)")
    parser.add_argument(
        "--log-level", default=os.environ.get("ZHIKE_LOG_LEVEL", "INFO"), help="logging level"
    )
    commands = parser.add_subparsers(dest="command")
    create = commands.add_parser(
        "create-agent",
        parents=[common],
        help="add an agent with a desk account (password from stdin or a prompt)",
    )
    create.add_argument("--username", required=True, help="login name (a-z 0-9 . _ @ -)")
    create.add_argument("--agent-id", required=True, help="handoff agent id, e.g. a1")
    create.add_argument("--name", required=True, help="display name, e.g. 王芳")
    create.add_argument(
        "--groups",
        default="",
        help=f"comma-separated skill groups ({', '.join(SKILL_GROUPS)})",
    )
    create.add_argument(
        "--role",
        choices=ROLES,
        default="agent",
        help="agent (default), supervisor (every queue, the whole knowledge base), "
        "editor (writes knowledge-base entries) or reviewer (reviews and publishes them)",
    )
    create.add_argument("--max-concurrent", type=int, default=3)
    return parser.parse_args(argv)


def read_password(stdin: IO[str]) -> str:
    """The new password: prompted twice on a terminal, else the first line of ``stdin``."""
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            raise ValueError("the passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


async def create_agent(args: argparse.Namespace, settings: DeskSettings, password: str) -> str:
    """Saves the handoff agent and its desk account; returns a summary line."""
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    problem = password_problem(password)
    if problem is not None:
        raise DeskError(400, "invalid_password", problem)
    desk = await open_context(settings, with_kb=False)
    try:
        for existing in await desk.auth.accounts():
            if args.username.strip().lower() == existing.username or (
                args.agent_id == existing.agent_id
            ):
                raise DeskError(409, "account_exists", "username or agent has an account")
        await desk.handoff.save_agent(
            args.agent_id,
            args.name,
            groups,
            max_concurrent=args.max_concurrent,
            supervisor=args.role == "supervisor",
        )
        account = await desk.auth.create_account(args.username, password, args.agent_id, args.role)
    finally:
        await desk.close()
    return f"created {account.role} {account.username} (agent {account.agent_id})"


def serve(args: argparse.Namespace, settings: DeskSettings) -> int:
    """Runs the API until interrupted."""
    app = create_app(settings)
    url = f"http://{args.host}:{args.port}{API_PREFIX}"

    async def announce(_app: Sanic, _loop: Any) -> None:
        logger.info("zhike desk API on %s (db %s)", url, safe_url(settings.db_url))

    app.register_listener(announce, "after_server_start")
    app.run(
        host=args.host, port=args.port, workers=1, access_log=False, motd=False, auto_reload=False
    )
    return 0


def main(argv: Sequence[str] | None = None, stdin: IO[str] | None = None) -> int:
    """Runs the command; returns the exit code."""
    args = parse_args(argv)
    install_log_masking()
    hide_tokens_in_logs()
    harden_process()  # before the app exists: framing guard, timeouts, loop watchdog
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = DeskSettings.from_env(db_url=getattr(args, "db_url", None))
        if args.command != "create-agent":
            check_production()
    except (ValueError, ConfigurationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command != "create-agent":
        return serve(args, settings)
    try:
        password = read_password(stdin or sys.stdin)
        print(asyncio.run(create_agent(args, settings, password)))
    except (DeskError, HandoffError) as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
