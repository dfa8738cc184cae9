"""Settings of the backend service, read from the environment (no import-time reads)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from zhike.common.database import state_sqlite_url
from zhike.common.deployment import ConfigurationError, is_development

_TRUE = {"1", "true", "yes", "on"}
DEFAULT_BINDING_DAYS = 30.0
DEFAULT_WEB_BINDING_DAYS = 7.0
DEFAULT_CODES_PER_MINUTE = 30


def default_db_url(cwd: Path | None = None) -> str:
    """SQLite file ``.zhike/backend.db`` under ``cwd`` (default: the working directory)."""
    return state_sqlite_url("backend.db", cwd)


@dataclass(frozen=True)
class Settings:
    """Configuration of one backend process.

    Attributes:
        db_url: SQLAlchemy async URL, ``sqlite+aiosqlite:///path.db`` or
            ``postgresql+asyncpg://user:pass@host/db``.
        api_key: shared secret expected in the ``X-Api-Key`` header. Required unless
            ``development``; ``None`` in development accepts every request.
        faults_enabled: mounts the test-only ``/__faults``, ``/__sent_codes`` and ``__reset``
            endpoints (development only).
        seed: create tables and load the demo data when the database is empty.
        app_name: Sanic application name (unique per process).
        development: the explicit development switch ``ZHIKE_ENV=development``.
        binding_days: lifetime of a channel binding (WeChat, WeCom, app ...), in days.
        web_binding_days: lifetime of a web chat binding (shared devices), in days.
        codes_per_minute: one-time codes sent per minute across all phones.
    """

    db_url: str
    api_key: str | None = None
    faults_enabled: bool = False
    seed: bool = True
    app_name: str = "zhike_backend"
    development: bool = False
    binding_days: float = DEFAULT_BINDING_DAYS
    web_binding_days: float = DEFAULT_WEB_BINDING_DAYS
    codes_per_minute: int = DEFAULT_CODES_PER_MINUTE

    @property
    def binding_lifetime(self) -> timedelta:
        """How long a binding on a non-web channel lasts."""
        return timedelta(days=self.binding_days)

    @property
    def web_binding_lifetime(self) -> timedelta:
        """How long a web chat binding lasts."""
        return timedelta(days=self.web_binding_days)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Reads the ``ZHIKE_BACKEND_*`` variables and ``ZHIKE_ENV``.

        Variables: ZHIKE_BACKEND_DB_URL, ZHIKE_BACKEND_API_KEY, ZHIKE_BACKEND_FAULTS,
        ZHIKE_BACKEND_BINDING_DAYS (default 30), ZHIKE_BACKEND_WEB_BINDING_DAYS (default 7),
        ZHIKE_BACKEND_CODES_PER_MINUTE (default 30).

        Args:
            environ: the environment to read (default ``os.environ``).
            **overrides: field values that win over the environment (``None`` is ignored).

        Raises:
            ConfigurationError: a number variable that is not a positive number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "db_url": env.get("ZHIKE_BACKEND_DB_URL") or default_db_url(),
            "api_key": env.get("ZHIKE_BACKEND_API_KEY") or None,
            "faults_enabled": env.get("ZHIKE_BACKEND_FAULTS", "").strip().lower() in _TRUE,
            "development": is_development(env),
            "binding_days": _positive(env, "ZHIKE_BACKEND_BINDING_DAYS", DEFAULT_BINDING_DAYS),
            "web_binding_days": _positive(
                env, "ZHIKE_BACKEND_WEB_BINDING_DAYS", DEFAULT_WEB_BINDING_DAYS
            ),
            "codes_per_minute": max(
                1, round(_positive(env, "ZHIKE_BACKEND_CODES_PER_MINUTE", DEFAULT_CODES_PER_MINUTE))
            ),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{name} must be a positive number, got {raw!r}")
    return value
