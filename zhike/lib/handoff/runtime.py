"""The handoff service as the action server and the desk run it: settings from the environment.

``ZHIKE_HANDOFF_DB_URL``    the ``handoff_*`` tables, shared by the action server and the
                            desk (default: SQLite ``.zhike/handoff.db`` under the working
                            directory; PostgreSQL in production)
``ZHIKE_HANDOFF_HOURS``     when agents work, ``HH:MM-HH:MM`` (default ``09:00-21:00``)
``ZHIKE_HANDOFF_TIMEZONE``  the zone of those hours (default ``Asia/Shanghai``)

Nothing is read at import; :func:`handoff_service` builds the service on first use, in the
event loop that uses it, and creates missing tables once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from zhike.common.database import state_sqlite_url
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.handoff.db import HandoffDatabase, storage_failures
from zhike.lib.handoff.hours import BusinessHours
from zhike.lib.handoff.service import HandoffService

DEFAULT_HOURS = "09:00-21:00"
DEFAULT_TIMEZONE = "Asia/Shanghai"

_service: HandoffService | None = None


def default_db_url(cwd: Path | None = None) -> str:
    """SQLite file ``.zhike/handoff.db`` under ``cwd`` (default: the working directory)."""
    return state_sqlite_url("handoff.db", cwd)


def settings_from_env(environ: Mapping[str, str] | None = None) -> HandoffSettings:
    """Business hours from ``ZHIKE_HANDOFF_HOURS`` / ``ZHIKE_HANDOFF_TIMEZONE``.

    Raises:
        ValueError: a malformed span or an unknown time zone.
    """
    env = os.environ if environ is None else environ
    hours = BusinessHours.parse(
        env.get("ZHIKE_HANDOFF_HOURS") or DEFAULT_HOURS,
        tz=env.get("ZHIKE_HANDOFF_TIMEZONE") or DEFAULT_TIMEZONE,
    )
    return HandoffSettings(hours=hours)


async def handoff_service() -> HandoffService:
    """The process-wide service (created, with its tables, on first use).

    Raises:
        HandoffUnavailable: the database cannot be reached, or the URL or business
            hours in the environment are malformed (the next call tries again).
    """
    global _service
    if _service is None:
        with storage_failures("handoff is misconfigured", also=(ValueError,)):
            settings = settings_from_env()
            db = HandoffDatabase(os.environ.get("ZHIKE_HANDOFF_DB_URL") or default_db_url())
        await db.create_tables()
        _service = HandoffService(db, settings)
    return _service


def set_handoff_service(service: HandoffService | None) -> None:
    """Replaces the process-wide service (tests); ``None`` rebuilds it from the environment."""
    global _service
    _service = service
