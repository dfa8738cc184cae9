"""The analytics consumer in the stack (`make run`, the end-to-end tests, the benchmark).

Rasa writes its events to this stack's SQL broker table (``<state_dir>/events.db``), the
consumer (``python -m zhike.analytics consume``) reads them and the handoff tables into
``<state_dir>/analytics.db``, and the desk's analytics API reads that database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from zhike.tools.process import Service

SQL_BROKERS = ("SQL", "sql", "zhike.analytics.broker.MaskingSQLEventBroker")


class AnalyticsConfig(Protocol):
    """What of the stack's configuration the analytics service needs."""

    @property
    def host(self) -> str:
        """The address the services listen on."""

    @property
    def analytics_port(self) -> int:
        """The consumer's health endpoint port."""

    @property
    def state_dir(self) -> Path:
        """Where the stack keeps its files."""

    @property
    def handoff_db_url(self) -> str:
        """The handoff tables' database."""


def events_db(config: AnalyticsConfig) -> Path:
    """The SQL event broker's SQLite file of this stack."""
    return config.state_dir / "events.db"


def analytics_env(config: AnalyticsConfig) -> dict[str, str]:
    """Where the consumer and the desk find the analytics data of this stack."""
    return {
        "ZHIKE_ANALYTICS_DB_URL": f"sqlite+aiosqlite:///{config.state_dir / 'analytics.db'}",
        "ZHIKE_ANALYTICS_EVENTS_DB_URL": f"sqlite+aiosqlite:///{events_db(config)}",
        "ZHIKE_HANDOFF_DB_URL": config.handoff_db_url,
    }


def with_event_broker(endpoints: dict[str, Any], config: AnalyticsConfig) -> dict[str, Any]:
    """``endpoints`` with its SQL event broker writing this stack's events file."""
    broker = endpoints.get("event_broker")
    if isinstance(broker, dict) and broker.get("type") in SQL_BROKERS:
        endpoints["event_broker"] = {**broker, "dialect": "sqlite", "db": str(events_db(config))}
    return endpoints


def analytics_service(config: AnalyticsConfig, python: str, env: dict[str, str]) -> Service:
    """The consumer process, with its health endpoint on ``config.analytics_port``."""
    argv = [python, "-m", "zhike.analytics", "consume", "--host", config.host,
            "--health-port", str(config.analytics_port)]  # fmt: skip
    health = f"http://{config.host}:{config.analytics_port}/health"
    return Service("analytics", argv, health, {**analytics_env(config), **env})
