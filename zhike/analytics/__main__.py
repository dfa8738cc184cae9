"""``python -m zhike.analytics``: see :mod:`zhike.analytics.cli`."""

from zhike.analytics.cli import main

raise SystemExit(main())
