"""``python -m zhike.launch MODULE [ARGS...]``: run a server module with masked logs.

Installs :func:`zhike.privacy.install_log_masking`, then runs ``MODULE`` as ``__main__``
with ``ARGS`` (e.g. ``python -m zhike.launch rasa run ...`` or ``python -m zhike.launch
rasa_sdk --actions actions``), so phone and ID-card numbers in that process's log lines
never reach a log file in clear text. :mod:`zhike.stack` starts every service this way.
"""

from __future__ import annotations

import runpy
import sys

from zhike.privacy import install_log_masking


def main(argv: list[str] | None = None) -> None:
    """Runs the module named by the first argument with the rest as its arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        raise SystemExit("usage: python -m zhike.launch MODULE [ARGS...]")
    install_log_masking()
    module, rest = args[0], args[1:]
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
