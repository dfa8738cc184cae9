"""``python -m zhike.servers.backend [--host H] [--port P] [--db-url URL] [--seed/--no-seed]``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from sanic import Sanic

from zhike.common.deployment import ConfigurationError
from zhike.common.privacy import install_log_masking
from zhike.servers.backend.app import create_app
from zhike.servers.backend.config import Settings
from zhike.servers.backend.db import safe_url
from zhike.servers.backend.security import check_settings
from zhike.servers.serving import harden_process

logger = logging.getLogger("zhike.servers.backend")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m zhike.servers.backend",
        description="Run the zhike reference business backend (demo shop + online school).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5080, help="port (default 5080)")
    parser.add_argument(
        "--db-url",
        default=None,
        help="SQLAlchemy async URL (default: env ZHIKE_BACKEND_DB_URL, "
        "else sqlite+aiosqlite:///./.zhike/backend.db)",
    )
    parser.add_argument(
        "--seed",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load the demo data into an empty database (default: on)",
    )
    parser.add_argument(
        "--log-level", default=os.environ.get("ZHIKE_LOG_LEVEL", "INFO"), help="logging level"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the service until interrupted; returns the exit code (2: refused to start)."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    install_log_masking()
    harden_process()  # framing guard, timeouts, loop watchdog
    try:
        settings = Settings.from_env(db_url=args.db_url, seed=args.seed)
        check_settings(settings)
    except ConfigurationError as error:
        logger.error("%s", error)
        return 2
    app = create_app(settings)
    url = f"http://{args.host}:{args.port}"

    async def announce(_app: Sanic, _loop: Any) -> None:
        logger.info(
            "zhike backend listening on %s (db %s, api key %s, faults %s)",
            url,
            safe_url(settings.db_url),
            "required" if settings.api_key else "not set (development mode)",
            "on" if settings.faults_enabled else "off",
        )

    app.register_listener(announce, "after_server_start")
    app.run(
        host=args.host,
        port=args.port,
        workers=1,
        access_log=False,
        motd=False,
        auto_reload=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
