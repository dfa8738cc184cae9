"""Runs the quality-inspection CLI: ``python -m zhike.qa --help``."""

import sys

from zhike.qa.cli import main

if __name__ == "__main__":
    sys.exit(main())
