"""Outbox scenarios shared by the SQLite unit tests and the PostgreSQL integration tests."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.unit.servers.desk.flaky_rasa import FlakyRasa, eventually
from zhike.lib.handoff import (
    ConversationInfo,
    HandoffDatabase,
    HandoffOutbox,
    HandoffService,
    RetryPolicy,
    StoredMessage,
)
from zhike.servers.desk.config import DeliverySettings
from zhike.servers.desk.delivery.dispatcher import OutboxDispatcher
from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.servers.desk.delivery.sink import Delivery, RasaSink

# Tuesday 4 June 2024, 10:00 in Shanghai: the desk is open (handoff requests are made then).
OPEN = datetime(2024, 6, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def quick(**overrides: Any) -> DeliverySettings:
    """Fast retries and polling for tests."""
    values: dict[str, Any] = {
        "retry": RetryPolicy(
            first_delay=timedelta(milliseconds=20),
            max_delay=timedelta(milliseconds=100),
            max_attempts=100,
            max_age=timedelta(minutes=5),
        ),
        "lease": timedelta(seconds=4),
        "poll_interval": 0.02,
        "stop_grace": 0.5,
    }
    values.update(overrides)
    return DeliverySettings(**values)


class CountingSink(RasaSink):
    """A RasaSink that counts the attempts it made."""

    def __init__(self, rasa: RasaConversations) -> None:
        super().__init__(rasa)
        self.attempts = 0

    async def deliver(
        self, conversation: ConversationInfo, message: StoredMessage, delivery: Delivery
    ) -> None:
        self.attempts += 1
        await super().deliver(conversation, message, delivery)

    async def taken_over(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        self.attempts += 1
        await super().taken_over(conversation, delivery)


def dispatcher(db: HandoffDatabase, rasa: FlakyRasa, name: str, **settings: Any) -> Any:
    """A dispatcher on ``db`` sending to ``rasa`` (real clock)."""
    sink = CountingSink(RasaConversations(rasa.url, timeout=0.5))
    return OutboxDispatcher(HandoffOutbox(db), sink, quick(**settings), name=name)


async def agent_conversation(
    service: HandoffService, sender: str, agent: str, replies: list[str]
) -> int:
    """A conversation ``agent`` accepted and answered, every change notifying the bot."""
    await service.save_agent(agent, agent, ["orders"], online=True)
    outcome = await service.request_handoff(sender, "rest", None, "orders", now=OPEN)
    cid = outcome.conversation_id
    await service.accept(agent, cid, notify_bot=True)
    for n, text in enumerate(replies):
        await service.append_message(
            cid, "agent", text, f"{sender}-{n}", agent_id=agent, notify_bot=True
        )
    return cid


async def pending(db: HandoffDatabase) -> int:
    return (await HandoffOutbox(db).counts())["pending"]


async def until_delivered(db: HandoffDatabase, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await pending(db):
        assert loop.time() < deadline, "the outbox still has pending rows"
        await asyncio.sleep(0.02)


async def two_dispatchers_never_double_send(
    db_url: str, rasa: FlakyRasa, senders: int = 8, replies: int = 5
) -> list[int]:
    """Two dispatchers on their own engines (two processes) share one database.

    Rows are written while both poll every 20 ms and Rasa refuses a few requests. Every
    reply reaches its customer once and in order; every outbox key is in Rasa once.
    Returns how many attempts each dispatcher made.
    """
    writer = HandoffDatabase(db_url)
    engines = [HandoffDatabase(db_url) for _ in range(2)]
    workers = [dispatcher(db, rasa, f"d{n}") for n, db in enumerate(engines)]
    try:
        for worker in workers:
            worker.start()
        rasa.fail(6)
        service = HandoffService(writer)
        texts = {f"s{n}": [f"s{n} 第{r}句" for r in range(replies)] for n in range(senders)}
        await asyncio.gather(
            *(
                agent_conversation(service, sender, f"agent-{sender}", lines)
                for sender, lines in texts.items()
            )
        )
        await until_delivered(writer)
    finally:
        for worker in workers:
            await worker.stop()
        for db in (*engines, writer):
            await db.dispose()
    for sender, lines in texts.items():
        assert rasa.texts(sender) == lines
    keys = [
        event["metadata"]["zhike_outbox_key"]
        for events in rasa.events.values()
        for event in events
        if "metadata" in event
    ]
    assert len(keys) == len(set(keys)) == senders * (replies + 1)  # each taken_over and reply
    await eventually(lambda: not any(worker.running for worker in workers))
    return [worker.sink.attempts for worker in workers]
