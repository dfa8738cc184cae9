"""Where the consumer reads Rasa's events: the SQL broker table or a RabbitMQ queue.

* :class:`SqlEventSource` reads Rasa's ``SQLEventBroker`` table (``events``: ``id``,
  ``sender_id``, ``data`` = the event's JSON) in id order after a cursor; the consumer
  keeps that cursor in the analytics database, in the same transaction as the rows the
  events produced, so a stop at any point neither loses nor repeats an event.
* :class:`RabbitMQSource` consumes the queue Rasa's ``PikaEventBroker`` publishes to (a
  durable queue bound to Rasa's fanout exchange) with manual acknowledgements: a message
  is acknowledged only after the transaction holding its rows committed; a crash before
  that gets it redelivered, and its event key makes the second application a no-op.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

EVENTS_TABLE = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def decode(body: bytes | str | None) -> dict[str, Any] | None:
    """A broker message's event (``None``: not a JSON object)."""
    try:
        event = json.loads(body or "")
    except (TypeError, ValueError):
        return None
    return event if isinstance(event, dict) else None


class SqlEventSource:
    """Reads Rasa's SQL event broker table (read only; Rasa creates and writes it).

    Args:
        db_url: Async SQLAlchemy URL of the broker's database.
    """

    def __init__(self, db_url: str) -> None:
        options: dict[str, Any] = {"hide_parameters": True}
        if db_url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30}
        else:
            options["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(db_url, **options)

    async def read(self, after: int, limit: int) -> list[tuple[int, dict[str, Any] | None]]:
        """Up to ``limit`` events with an id above ``after``, in id order.

        Returns:
            ``(id, event)`` pairs (``event`` ``None`` when a row is not a JSON object);
            nothing while Rasa has not created the table yet.
        """
        query = (
            select(EVENTS_TABLE.c.id, EVENTS_TABLE.c.data)
            .where(EVENTS_TABLE.c.id > after)
            .order_by(EVENTS_TABLE.c.id)
            .limit(limit)
        )
        try:
            async with self.engine.connect() as conn:
                rows = (await conn.execute(query)).all()
        except (OperationalError, ProgrammingError) as error:
            logger.debug("event table not readable yet: %s", type(error).__name__)
            return []
        return [(int(row.id), decode(row.data)) for row in rows]

    async def close(self) -> None:
        """Closes the connections."""
        await self.engine.dispose()


@dataclass
class Delivery:
    """A queue message: its event and how to acknowledge it."""

    event: dict[str, Any] | None
    message: Any


class RabbitMQSource:
    """Consumes the events queue of Rasa's pika broker (``aio_pika``).

    Args:
        url: The AMQP URL.
        queue: The queue name (declared durable, as Rasa does).
        prefetch: Most unacknowledged messages at a time (one batch).
    """

    def __init__(self, url: str, queue: str, prefetch: int) -> None:
        self.url, self.queue_name, self.prefetch = url, queue, prefetch
        self._connection: Any = None
        self._buffer: asyncio.Queue[Delivery] = asyncio.Queue()

    async def start(self) -> None:
        """Connects (reconnecting by itself later) and starts consuming."""
        import aio_pika  # imported here: only this source needs the AMQP client

        self._connection = await aio_pika.connect_robust(self.url, timeout=10)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        queue = await channel.declare_queue(self.queue_name, durable=True)
        await queue.consume(self._received, no_ack=False)

    async def _received(self, message: Any) -> None:
        await self._buffer.put(Delivery(decode(message.body), message))

    async def take(self, limit: int, wait: float) -> list[Delivery]:
        """Up to ``limit`` deliveries: waits ``wait`` seconds for the first one."""
        try:
            first = await asyncio.wait_for(self._buffer.get(), timeout=wait)
        except asyncio.TimeoutError:
            return []
        taken = [first]
        while len(taken) < limit and not self._buffer.empty():
            taken.append(self._buffer.get_nowait())
        return taken

    @staticmethod
    async def ack(deliveries: list[Delivery]) -> None:
        """Acknowledges deliveries whose rows are committed."""
        for delivery in deliveries:
            await delivery.message.ack()

    @staticmethod
    async def requeue(deliveries: list[Delivery]) -> None:
        """Gives deliveries back to the queue (their transaction failed)."""
        for delivery in deliveries:
            await delivery.message.nack(requeue=True)

    async def close(self) -> None:
        """Closes the connection (the broker requeues what was not acknowledged)."""
        self._buffer = asyncio.Queue()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
