"""``python -m zhike.tools.launch MODULE [ARGS...]``: run a server module with masked logs.

Installs :func:`zhike.common.privacy.install_log_masking` and
:func:`zhike.servers.serving.harden_process`, then runs ``MODULE`` as ``__main__`` with
``ARGS`` (e.g. ``python -m zhike.tools.launch rasa run ...``), so phone and ID-card numbers in
that process's log lines never reach a log file in clear text and its sanic servers refuse
malformed requests. :mod:`zhike.tools.stack` starts the Rasa server this way.
"""

from __future__ import annotations

import os
import runpy
import sys

from zhike.common.privacy import install_log_masking
from zhike.servers.serving import harden_process


def main(argv: list[str] | None = None) -> None:
    """Runs the module named by the first argument with the rest as its arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        raise SystemExit("usage: python -m zhike.tools.launch MODULE [ARGS...]")
    install_log_masking()
    harden_process()
    module, rest = args[0], args[1:]
    if module == "rasa":
        # Rasa reports usage to its makers unless told not to; zhike never does.
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        from zhike.servers.action_server.rasa_client import install_action_call_retry

        install_action_call_retry()
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
