"""`make run` and the e2e stack start the consumer and point Rasa's broker at their state."""

from __future__ import annotations

from pathlib import Path

import yaml

from zhike.tools.stack import Stack, StackConfig


def test_the_stack_runs_the_consumer_on_its_own_files(tmp_path: Path) -> None:
    config = StackConfig.on_free_ports(tmp_path / "model.tar.gz", tmp_path)
    stack = Stack(config)
    services = {service.name: service for service in stack.services}
    consumer = services["analytics"]
    assert consumer.argv[1:4] == ["-m", "zhike.analytics", "consume"]
    assert consumer.health_url == f"http://127.0.0.1:{config.analytics_port}/health"
    analytics_db = f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}"
    assert consumer.env["ZHIKE_ANALYTICS_DB_URL"] == analytics_db
    assert services["desk"].env["ZHIKE_ANALYTICS_DB_URL"] == analytics_db  # the API reads it
    assert consumer.env["ZHIKE_HANDOFF_DB_URL"] == config.handoff_db_url
    endpoints = yaml.safe_load(stack._runtime_endpoints().read_text(encoding="utf-8"))
    assert endpoints["event_broker"] == {
        "type": "zhike.analytics.broker.MaskingSQLEventBroker",
        "dialect": "sqlite",
        "db": str(tmp_path / "events.db"),
    }
    assert consumer.env["ZHIKE_ANALYTICS_EVENTS_DB_URL"].endswith(str(tmp_path / "events.db"))
