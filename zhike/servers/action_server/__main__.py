"""``python -m zhike.servers.action_server --actions actions [--host 127.0.0.1] [--port 5055]``.

Runs zhike's action server (:func:`zhike.servers.action_server.create_action_app`) with personal
data masked in its logs. It listens on loopback unless ``--host`` says otherwise (then
serve HTTPS with ``--ssl-certificate``/``--ssl-keyfile``: the token crosses the network). In
production it refuses to start without ``ZHIKE_ACTION_TOKEN`` and
``ZHIKE_IDENTITY_SECRET`` (32+ bytes each); Rasa sends the token in the header
``X-Zhike-Action-Token``.
"""

from __future__ import annotations

import argparse
import logging
import sys

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_ssl_context
from rasa_sdk.plugin import plugin_manager

from zhike.common.deployment import ConfigurationError
from zhike.common.privacy import install_log_masking
from zhike.lib.kb.live import warm_up_knowledge
from zhike.servers.action_server.app import BACKLOG, action_token, create_action_app
from zhike.servers.serving import harden_process

logger = logging.getLogger("zhike.servers.action_server")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m zhike.servers.action_server", description="zhike's guarded action server"
    )
    parser.add_argument("--actions", default="actions", help="package of the actions")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="sanic worker processes (default: ACTION_SERVER_SANIC_WORKERS or 1)",
    )
    parser.add_argument("--ssl-certificate", help="TLS certificate (PEM) to serve HTTPS")
    parser.add_argument("--ssl-keyfile", help="the certificate's private key")
    parser.add_argument("--ssl-password", help="the private key's password")
    utils.add_logging_level_option_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Starts the server; returns 2 when the configuration must not start."""
    install_log_masking()
    harden_process()  # framing guard, timeouts, loop watchdog
    args = parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    try:
        token = action_token()
    except ConfigurationError as error:
        print(f"zhike.servers.action_server: {error}", file=sys.stderr)
        return 2
    app = create_action_app(args.actions, token)
    # the knowledge base's index is built while the server starts, not on the first question
    app.register_listener(warm_up_knowledge, "after_server_start")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    scheme = "https" if ssl else "http"
    logger.info("Action server listening on %s://%s:%s", scheme, args.host, args.port)
    app.run(
        host=args.host,
        port=args.port,
        ssl=ssl,
        workers=args.workers or utils.number_of_sanic_workers(),
        backlog=BACKLOG,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
