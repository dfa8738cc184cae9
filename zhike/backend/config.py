"""Settings of the backend service, read from the environment (no import-time reads)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zhike.database import state_sqlite_url

_TRUE = {"1", "true", "yes", "on"}


def default_db_url(cwd: Path | None = None) -> str:
    """SQLite file ``.zhike/backend.db`` under ``cwd`` (default: the working directory)."""
    return state_sqlite_url("backend.db", cwd)


@dataclass(frozen=True)
class Settings:
    """Configuration of one backend process.

    Attributes:
        db_url: SQLAlchemy async URL, ``sqlite+aiosqlite:///path.db`` or
            ``postgresql+asyncpg://user:pass@host/db``.
        api_key: shared secret expected in the ``X-Api-Key`` header; ``None`` is dev
            mode (every request accepted, one warning logged).
        faults_enabled: mounts the ``/__faults`` fault-injection endpoint (tests only).
        seed: create tables and load the demo data when the database is empty.
        app_name: Sanic application name (unique per process).
    """

    db_url: str
    api_key: str | None = None
    faults_enabled: bool = False
    seed: bool = True
    app_name: str = "zhike_backend"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Reads ZHIKE_BACKEND_DB_URL, ZHIKE_BACKEND_API_KEY and ZHIKE_BACKEND_FAULTS.

        Args:
            environ: the environment to read (default ``os.environ``).
            **overrides: field values that win over the environment (``None`` is ignored).
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "db_url": env.get("ZHIKE_BACKEND_DB_URL") or default_db_url(),
            "api_key": env.get("ZHIKE_BACKEND_API_KEY") or None,
            "faults_enabled": env.get("ZHIKE_BACKEND_FAULTS", "").strip().lower() in _TRUE,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]
