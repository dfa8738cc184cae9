"""Runs the customer-tags CLI: ``python -m zhike.tags --help``."""

import sys

from zhike.tags.cli import main

if __name__ == "__main__":
    sys.exit(main())
