"""The consumer reads Rasa's RabbitMQ broker (a real node): rows once, acks after commit.

Rasa's own ``PikaEventBroker`` publishes the events (fanout exchange, durable queue
``zhike_events``, as deploy/endpoints.production.yml configures it). Skipped with a
message without ``rabbitmq-server`` (scripts/install-system-packages.sh installs it).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.unit.analytics.conftest import Script, settings
from tests.unit.analytics.test_ingest import shop_conversation, snapshot
from zhike.analytics.consumer import Consumer
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.models import MessageRow, SessionRow

from .rabbitmq_server import RabbitMQServer, find_server, start_rabbitmq

pytestmark = pytest.mark.integration  # about 10 s: a node starts in about 6
QUEUE = "zhike_events"


@pytest.fixture(scope="module")
def rabbitmq() -> Iterator[RabbitMQServer]:
    server = find_server()
    if server is None:
        pytest.skip("rabbitmq-server is not installed (scripts/install-system-packages.sh)")
    node = start_rabbitmq(server)
    yield node
    node.stop()


@pytest.fixture
async def analytics_db(tmp_path: Path) -> AsyncIterator[AnalyticsDatabase]:
    db = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    await db.create_tables()
    yield db
    await db.dispose()


async def publish(node: RabbitMQServer, events: list[dict[str, Any]]) -> None:
    """Publishes through Rasa's PikaEventBroker and waits until every event went out."""
    import rasa.shared.core.events  # noqa: F401  (the broker logs with it, Rasa imports it)
    from rasa.core.brokers.pika import PikaEventBroker

    broker = PikaEventBroker(
        "127.0.0.1", "guest", "guest", port=node.port, queues=[QUEUE], raise_on_failure=True
    )
    await broker.connect()
    try:
        for event in events:
            broker.publish(event)
        await asyncio.gather(*list(broker._background_tasks))
    finally:
        await broker.close()


def consumer(db: AnalyticsDatabase, node: RabbitMQServer, batch: int = 500) -> Consumer:
    return Consumer(
        settings(
            db.url, source="rabbitmq", rabbitmq_url=node.url, queue=QUEUE, batch_size=batch,
            poll_seconds=0.2,
        ),
        db,
    )  # fmt: skip


async def message_count(db: AnalyticsDatabase) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(MessageRow))).scalar())


async def until_messages(db: AnalyticsDatabase, running: Consumer, expected: int) -> None:
    deadline = time.monotonic() + 30
    while await message_count(db) < expected:
        assert time.monotonic() < deadline, f"{await message_count(db)} of {expected} messages"
        await running.round()


async def test_events_from_rabbitmq_become_rows_once(
    rabbitmq: RabbitMQServer, analytics_db: AnalyticsDatabase
) -> None:
    first, second = shop_conversation("mq1"), shop_conversation("mq2")
    await publish(rabbitmq, first.events)
    running = consumer(analytics_db, rabbitmq, batch=4)
    await running.start()
    await until_messages(analytics_db, running, 7)
    await running.close()  # stopped: what comes now waits in the queue
    await publish(rabbitmq, second.events + first.events[3:9])  # new traffic and a replay
    restarted = consumer(analytics_db, rabbitmq)
    await restarted.start()
    await until_messages(analytics_db, restarted, 14)
    for _ in range(5):  # whatever is left (the replayed part) adds nothing
        await restarted.round()
    await restarted.close()
    async with analytics_db.session() as session:
        rows = (await session.execute(select(SessionRow).order_by(SessionRow.sender_id))).scalars()
        counts = [(r.sender_id, r.user_messages, r.bot_messages, r.kb_answers) for r in rows]
        masked = (await session.execute(select(MessageRow.text))).scalars().all()
    assert counts == [("mq1", 3, 4, 1), ("mq2", 3, 4, 1)]
    assert "查一下订单，手机138****8001" in masked
    assert not any("13800138001" in text for text in masked)


async def test_one_consumer_at_a_time_the_other_takes_over(
    rabbitmq: RabbitMQServer, analytics_db: AnalyticsDatabase
) -> None:
    active, standby = consumer(analytics_db, rabbitmq), consumer(analytics_db, rabbitmq)
    await active.start()
    await standby.start()
    await active.round()
    await standby.round()
    assert (active.consuming, standby.consuming) == (True, False)
    script = Script("mq3").session().user("你好", "greet").bot("您好")
    await publish(rabbitmq, script.events)
    await until_messages(analytics_db, active, 2)
    before = await snapshot(analytics_db)
    await active.close()  # gives the lease back
    await standby.round()
    assert standby.consuming
    await publish(rabbitmq, Script("mq4").session().user("在吗", "greet").events)
    await until_messages(analytics_db, standby, 3)
    await standby.close()
    after = await snapshot(analytics_db)
    assert set(before[1]) <= set(after[1]) and len(after[0]) == len(before[0]) + 1


async def test_the_masking_pika_broker_keeps_numbers_out_of_the_queue(
    rabbitmq: RabbitMQServer,
) -> None:
    import aio_pika
    import rasa.shared.core.events  # noqa: F401  (the broker logs with it, Rasa imports it)
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import EndpointConfig

    queue = f"masking-{uuid.uuid4().hex[:8]}"
    config = EndpointConfig.from_dict(
        {"type": "zhike.analytics.broker.MaskingPikaEventBroker", "url": "127.0.0.1",
         "port": rabbitmq.port, "username": "guest", "password": "guest", "queues": [queue]}
    )  # fmt: skip
    broker = await EventBroker.create(config)
    assert broker is not None
    event = Script("13800138001").user("手机13800138001收不到货", "query_order").events[0]
    try:
        broker.publish(event)
        await asyncio.gather(*list(broker._background_tasks))
    finally:
        await broker.close()
    connection = await aio_pika.connect(rabbitmq.url)
    try:
        channel = await connection.channel()
        message = await (await channel.declare_queue(queue, durable=True)).get(timeout=10)
        assert message is not None
        body = json.loads(message.body)
        await message.ack()
    finally:
        await connection.close()
    assert body["text"] == "手机138****8001收不到货"
    assert body["sender_id"] == "13800138001"  # the conversation's id stays as it is
