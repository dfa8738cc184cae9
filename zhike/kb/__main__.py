"""Runs the knowledge-base CLI: ``python -m zhike.kb --help``."""

import sys

from zhike.kb.cli import main

if __name__ == "__main__":
    sys.exit(main())
