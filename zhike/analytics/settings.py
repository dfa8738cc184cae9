"""The analytics settings, read from the environment (``ZHIKE_ANALYTICS_*``).

Every value has a development default: SQLite files under ``.zhike/`` (analytics tables,
Rasa's SQL event broker, the handoff tables), the SQL broker as the event source and the
handoff desk's business hours (09:00-21:00 Asia/Shanghai).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zhike.common.database import state_sqlite_url

SQL_SOURCE = "sql"
RABBITMQ_SOURCE = "rabbitmq"
SOURCES = (SQL_SOURCE, RABBITMQ_SOURCE)
DEFAULT_QUEUE = "zhike_events"
DEFAULT_HOURS = "09:00-21:00"
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class AnalyticsSettings:
    """Where the analytics data comes from and goes to, and how it is judged.

    Attributes:
        db_url: Async SQLAlchemy URL of the analytics tables (``analytics_*``).
        source: ``sql`` (Rasa's SQL event broker table) or ``rabbitmq``.
        events_db_url: Async SQLAlchemy URL of the SQL broker's ``events`` table.
        handoff_db_url: Async SQLAlchemy URL of the desk's ``handoff_*`` tables; ``None``:
            no handoff data is read.
        rabbitmq_url: AMQP URL of the broker (``source`` ``rabbitmq``).
        queue: The RabbitMQ queue Rasa publishes to.
        batch_size: Most events applied in one transaction.
        poll_seconds: Pause between two reads when there was nothing new.
        idle_minutes: A conversation silent this long has ended (abandonment).
        timezone: Where the business hours, hour and day buckets are counted.
        open_at: Start of the business day.
        close_at: End of the business day.
    """

    db_url: str
    source: str = SQL_SOURCE
    events_db_url: str = ""
    handoff_db_url: str | None = None
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    queue: str = DEFAULT_QUEUE
    batch_size: int = 500
    poll_seconds: float = 0.5
    idle_minutes: float = 30.0
    timezone: str = DEFAULT_TIMEZONE
    open_at: time = time(9, 0)
    close_at: time = time(21, 0)

    @property
    def zone(self) -> ZoneInfo:
        """The business time zone."""
        return ZoneInfo(self.timezone)


def parse_hours(span: str) -> tuple[time, time]:
    """``"09:00-21:00"`` as two times.

    Raises:
        ValueError: not ``HH:MM-HH:MM`` with the start before the end.
    """
    try:
        start, end = (time.fromisoformat(part.strip()) for part in span.split("-", 1))
    except ValueError as error:
        raise ValueError(f"business hours must look like 09:00-21:00, got {span!r}") from error
    if start >= end:
        raise ValueError(f"business hours must start before they end, got {span!r}")
    return start, end


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


def settings_from_env(environ: Mapping[str, str] | None = None) -> AnalyticsSettings:
    """The settings from ``ZHIKE_ANALYTICS_*`` (and the handoff desk's hours and database).

    Raises:
        ValueError: an unknown source, malformed hours, an unknown time zone or a bad number.
    """
    env = os.environ if environ is None else environ
    source = env.get("ZHIKE_ANALYTICS_SOURCE", SQL_SOURCE).strip().lower() or SQL_SOURCE
    if source not in SOURCES:
        raise ValueError(f"ZHIKE_ANALYTICS_SOURCE must be one of {', '.join(SOURCES)}")
    hours = env.get("ZHIKE_ANALYTICS_HOURS") or env.get("ZHIKE_HANDOFF_HOURS") or DEFAULT_HOURS
    open_at, close_at = parse_hours(hours)
    zone = (
        env.get("ZHIKE_ANALYTICS_TIMEZONE") or env.get("ZHIKE_HANDOFF_TIMEZONE") or DEFAULT_TIMEZONE
    )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {zone!r}") from error
    handoff = env.get("ZHIKE_ANALYTICS_HANDOFF_DB_URL") or env.get("ZHIKE_HANDOFF_DB_URL")
    return AnalyticsSettings(
        db_url=env.get("ZHIKE_ANALYTICS_DB_URL") or state_sqlite_url("analytics.db"),
        source=source,
        events_db_url=env.get("ZHIKE_ANALYTICS_EVENTS_DB_URL") or state_sqlite_url("events.db"),
        handoff_db_url=handoff or state_sqlite_url("handoff.db"),
        rabbitmq_url=env.get("ZHIKE_ANALYTICS_RABBITMQ_URL") or AnalyticsSettings.rabbitmq_url,
        queue=env.get("ZHIKE_ANALYTICS_QUEUE") or DEFAULT_QUEUE,
        batch_size=max(1, int(_number(env, "ZHIKE_ANALYTICS_BATCH", 500))),
        poll_seconds=_number(env, "ZHIKE_ANALYTICS_POLL_SECONDS", 0.5),
        idle_minutes=_number(env, "ZHIKE_ANALYTICS_IDLE_MINUTES", 30.0),
        timezone=zone,
        open_at=open_at,
        close_at=close_at,
    )
