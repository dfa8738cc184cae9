"""`python -m zhike.tools.run` (what `make run` calls): the whole system on embedded defaults.

Starts the reference business backend (SQLite), the action server and the Rasa server
(REST, socket.io with the web chat widget, SQLite tracker store, in-memory lock store),
prints their URLs and stops all of them on Ctrl-C or when one of them dies.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from zhike.tools.stack import PROJECT_ROOT, Stack, StackConfig, StackError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the documented ports."""
    parser = argparse.ArgumentParser(prog="python -m zhike.tools.run", description=__doc__)
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "zhike.tar.gz")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--backend-port", type=int, default=5080)
    parser.add_argument("--desk-port", type=int, default=5090)
    parser.add_argument("--analytics-port", type=int, default=5095)
    return parser.parse_args(argv)


def banner(config: StackConfig) -> str:
    """The text printed once everything is up."""
    return "\n".join(
        [
            "",
            "zhike (智客) is running:",
            f"  REST channel     POST {config.rasa_url}/webhooks/rest/webhook",
            f"  web chat         {config.rasa_url}/webhooks/socketio/chat",
            f"  widget script    {config.rasa_url}/webhooks/socketio/widget.js "
            "(one <script> tag, see docs/channels/web.md)",
            f"  socket.io        {config.rasa_url}/socket.io",
            f"  Rasa HTTP API    {config.rasa_url}/status?token=... "
            f"(token: ZHIKE_RASA_TOKEN, or {config.state_dir / 'rasa-token'})",
            f"  action server    {config.actions_url}/health",
            f"  app channel      POST {config.rasa_url}/webhooks/app/webhook (JWT, see README)",
            f"  公众号 callback  {config.rasa_url}/webhooks/wechat/webhook "
            "(ZHIKE_WECHAT_*, docs/channels/wechat.md)",
            f"  WeCom callback   {config.rasa_url}/webhooks/wecom/webhook (ZHIKE_WECOM_*)",
            f"  agent desk       {config.desk_url}/desk/ (API /api/desk/v1, docs/desk.md; "
            "agents: python -m zhike.servers.desk create-agent)",
            f"  analytics        {config.desk_url}/api/desk/v1/analytics/summary (supervisors; "
            "python -m zhike.analytics summary --since 2026-12-01, docs/analytics.md)",
            f"  business backend {config.backend_url}/api/v1/orders/HP20240001",
            f"  backend API docs {config.backend_url}/openapi.json",
            f"  logs             {config.state_dir / 'logs'}",
            "",
            "Try:  curl -s -X POST "
            f"{config.rasa_url}/webhooks/rest/webhook "
            '-d \'{"sender": "demo", "message": "查一下订单HP20240001"}\'',
            "Press Ctrl-C to stop.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Runs the stack until Ctrl-C/SIGTERM or until a process dies."""
    args = parse_args(argv)
    config = StackConfig(
        model=args.model,
        host=args.host,
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        backend_port=args.backend_port,
        desk_port=args.desk_port,
        analytics_port=args.analytics_port,
    )
    stack = Stack(config)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print(
        "Starting the backend, action server, Rasa server, agent desk and analytics ...",
        flush=True,
    )
    try:
        stack.start()
    except StackError as error:
        print(f"zhike could not start: {error}", file=sys.stderr)
        return 1
    print(banner(config), flush=True)
    exit_code = 0
    while not stopping:
        dead = stack.dead_services()
        if dead:
            for service in dead:
                print(
                    f"{service.name} stopped unexpectedly:\n{service.log_tail()}", file=sys.stderr
                )
            exit_code = 1
            break
        time.sleep(0.5)
    print("Stopping zhike ...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
