"""The event broker endpoints.yml names: Rasa's SQL table, masked, written in order."""

from __future__ import annotations

import json
from pathlib import Path

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from zhike.analytics.broker import MaskingSQLEventBroker
from zhike.analytics.sources import SqlEventSource

from .test_ingest import shop_conversation


async def test_rasa_creates_it_from_the_endpoint_config_and_it_masks(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    config = EndpointConfig.from_dict(
        {
            "type": "zhike.analytics.broker.MaskingSQLEventBroker",
            "dialect": "sqlite",
            "db": str(path),
        }
    )
    broker = await EventBroker.create(config)
    assert isinstance(broker, MaskingSQLEventBroker)
    events = shop_conversation("13800138001").events  # a phone number as the sender id too
    for event in events:
        broker.publish(event)
    await broker.close()
    source = SqlEventSource(f"sqlite+aiosqlite:///{path}")
    try:
        rows = await source.read(0, 1000)
    finally:
        await source.close()
    assert [row_id for row_id, _ in rows] == list(range(1, len(events) + 1))
    stored = [event for _, event in rows]
    assert [e["timestamp"] for e in stored if e] == [e["timestamp"] for e in events]
    assert all(e and e["sender_id"] == "13800138001" for e in stored)  # the conversation id
    first_user = next(e for e in stored if e and e["event"] == "user")
    assert first_user["text"] == "查一下订单，手机138****8001"
    assert first_user["parse_data"]["text"] == "查一下订单，手机138****8001"
    assert first_user["parse_data"]["intent"]["name"] == "query_order"
    assert first_user["message_id"] == "13800138001-2"  # machine values stay as they are
    for found in stored:
        assert found is not None
        assert "13800138001" not in json.dumps(
            {k: v for k, v in found.items() if k not in ("sender_id", "message_id")},
            ensure_ascii=False,
        )
