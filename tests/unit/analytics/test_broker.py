"""The event broker endpoints.yml names: Rasa's SQL table, masked, written in order in batches."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from pathlib import Path

import sqlalchemy
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


# --- batched writes -------------------------------------------------------------------


class Gate:
    """Holds the writer thread in its first statement until :meth:`open` (a slow disk).

    Everything published meanwhile queues up, so what the writer does next is certain.
    """

    def __init__(self, broker: MaskingSQLEventBroker) -> None:
        self._held = threading.Event()
        self._released = threading.Event()
        sqlalchemy.event.listen(broker.engine, "before_cursor_execute", self._wait)

    def _wait(self, *_: object) -> None:
        if not self._held.is_set():
            self._held.set()
            self._released.wait(timeout=30)

    def wait_held(self) -> None:
        assert self._held.wait(timeout=10), "the writer never started"

    def open(self) -> None:
        self._released.set()


def broker_at(path: Path) -> MaskingSQLEventBroker:
    return MaskingSQLEventBroker(dialect="sqlite", db=str(path))


def count_commits(broker: MaskingSQLEventBroker) -> list[int]:
    commits: list[int] = []
    sqlalchemy.event.listen(broker.engine, "commit", lambda _connection: commits.append(1))
    return commits


def stored(path: Path) -> list[tuple[int, str, dict]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id, sender_id, data FROM events ORDER BY id").fetchall()
    return [(row_id, sender, json.loads(data)) for row_id, sender, data in rows]


def numbered(count: int, sender: str = "s") -> list[dict]:
    return [
        {"sender_id": sender, "event": "user", "text": f"第{i}条", "timestamp": 1_700_000_000 + i}
        for i in range(count)
    ]


async def test_many_events_published_at_once_are_written_in_few_transactions(
    tmp_path: Path,
) -> None:
    broker = broker_at(tmp_path / "events.db")
    commits = count_commits(broker)
    gate = Gate(broker)
    events = numbered(2001)
    broker.publish(events[0])
    gate.wait_held()  # the first event is being written; the other 2,000 queue up
    for event in events[1:]:
        broker.publish(event)
    gate.open()
    await broker.close()
    rows = stored(tmp_path / "events.db")
    assert [data["text"] for _, _, data in rows] == [e["text"] for e in events]
    assert [row_id for row_id, _, _ in rows] == list(range(1, 2002))
    assert len(commits) == 1 + 4  # the first event, then 2,000 in batches of at most 500


async def test_events_keep_their_order_across_senders_and_batches(tmp_path: Path) -> None:
    broker = broker_at(tmp_path / "events.db")
    events = [e for pair in zip(numbered(700, "a"), numbered(700, "b"), strict=True) for e in pair]
    for event in events:  # no gate: the writer drains while events keep coming
        broker.publish(event)
    await broker.close()
    rows = stored(tmp_path / "events.db")
    assert [(sender, data["text"]) for _, sender, data in rows] == [
        (e["sender_id"], e["text"]) for e in events
    ]


async def test_a_failing_event_loses_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    broker = broker_at(path)
    with sqlite3.connect(path) as connection:  # the database refuses one sender's rows
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.sender_id = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    commits = count_commits(broker)
    rollbacks: list[int] = []
    sqlalchemy.event.listen(broker.engine, "rollback", lambda _connection: rollbacks.append(1))
    gate = Gate(broker)
    first, *rest = numbered(10)
    broker.publish(first)
    gate.wait_held()
    for i, event in enumerate(rest):  # one batch of 9 with the bad event in the middle
        broker.publish(event)
        if i == 4:
            broker.publish({"sender_id": "bad", "event": "user", "text": "坏的"})
    broker.publish({"sender_id": "s", "event": "user", "text": "不能存", "x": {1, 2}})  # no JSON
    gate.open()
    await broker.close()
    rows = stored(path)
    assert [data["text"] for _, _, data in rows] == [e["text"] for e in [first, *rest]]
    assert all(sender == "s" for _, sender, _ in rows)
    assert len(rollbacks) == 2  # the batch of 10, then the bad event on its own
    assert len(commits) == 1 + 9  # the first event, then each good event of the batch


async def test_close_waits_until_every_queued_event_is_written(tmp_path: Path) -> None:
    broker = broker_at(tmp_path / "events.db")
    gate = Gate(broker)
    events = numbered(1200)
    broker.publish(events[0])
    gate.wait_held()
    for event in events[1:]:
        broker.publish(event)
    closing = asyncio.ensure_future(broker.close())
    await asyncio.sleep(0.2)
    assert not closing.done()  # the writer is still held
    gate.open()
    await closing
    assert len(stored(tmp_path / "events.db")) == 1200
