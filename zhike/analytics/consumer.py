"""The analytics consumer service: events and handoff episodes into the analytics tables.

``python -m zhike.analytics consume`` runs :class:`Consumer` until SIGINT/SIGTERM. Each
round it applies one batch of events (SQL broker table after the stored cursor, or the
RabbitMQ deliveries received) in one transaction of the analytics database, then copies
the handoff episodes changed since the last round (:mod:`zhike.analytics.handoffs`).

Several consumers may run at once: with the SQL source each batch first locks the cursor
row (``SELECT ... FOR UPDATE`` on PostgreSQL, SQLite's write lock), so batches apply one
after the other and none twice. With RabbitMQ one consumer at a time holds a lease (a row
of the analytics database, renewed every round, checked in each batch's transaction)
and consumes the queue, so events are applied in the order Rasa published them; the
others stand by and take over within :data:`LEASE_SECONDS` when it stops. Unique keys
make a redelivered message harmless. A small HTTP endpoint (``GET /health``) tells the
supervisor the consumer is alive and how far it got.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.analytics import handoffs
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.analytics.models import CursorRow
from zhike.analytics.settings import RABBITMQ_SOURCE, AnalyticsSettings
from zhike.analytics.sources import Delivery, RabbitMQSource, SqlEventSource
from zhike.lib.handoff import HandoffDatabase

logger = logging.getLogger(__name__)

EVENTS_CURSOR = "events"
LEASE = "rabbitmq-lease"
LEASE_SECONDS = 15
HANDOFF_INTERVAL = 1.0


class LeaseLost(RuntimeError):
    """Another consumer holds the RabbitMQ lease now."""


async def locked_cursor(db: AsyncSession, name: str) -> CursorRow:
    """The cursor row ``name``, locked for this transaction (created at 0 if missing)."""
    result = await db.execute(select(CursorRow).where(CursorRow.name == name).with_for_update())
    row = result.scalars().first()
    if row is None:
        row = CursorRow(name=name, position=0)
        db.add(row)
        await db.flush()
    return row


class Consumer:
    """Reads the configured sources into the analytics database.

    Args:
        settings: Sources, database and batch size.
        db: The analytics database (tables created by :meth:`start`).
    """

    def __init__(self, settings: AnalyticsSettings, db: AnalyticsDatabase) -> None:
        self.settings = settings
        self.db = db
        self.sql = (
            SqlEventSource(settings.events_db_url) if settings.source != RABBITMQ_SOURCE else None
        )
        self.rabbit = (
            RabbitMQSource(settings.rabbitmq_url, settings.queue, settings.batch_size)
            if settings.source == RABBITMQ_SOURCE
            else None
        )
        self.handoff_db = (
            HandoffDatabase(settings.handoff_db_url) if settings.handoff_db_url else None
        )
        self.events_applied = 0
        self.last_error: str | None = None
        self._last_handoff_sync = 0.0
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.consuming = False

    async def start(self) -> None:
        """Creates the analytics tables (RabbitMQ is connected once the lease is held)."""
        await self.db.create_tables()

    async def close(self) -> None:
        """Closes every connection (and gives the RabbitMQ lease back)."""
        if self.consuming:
            await self._release()
        for closer in (self.sql, self.rabbit):
            if closer is not None:
                await closer.close()
        if self.handoff_db is not None:
            await self.handoff_db.dispose()

    async def step_sql(self) -> int:
        """Applies the next batch of the SQL broker table; returns how many rows it read."""
        assert self.sql is not None
        source = self.sql

        async def work(db: AsyncSession) -> int:
            cursor = await locked_cursor(db, EVENTS_CURSOR)
            rows = await source.read(cursor.position, self.settings.batch_size)
            if not rows:
                return 0
            await apply_events(db, [event for _, event in rows if event is not None])
            cursor.position = rows[-1][0]
            return len(rows)

        return await self.db.run(work)

    def _hold(self, lease: CursorRow) -> bool:
        """Takes or renews ``lease`` (locked) unless another live consumer holds it."""
        now = int(time.time())
        if lease.mark not in (None, self.holder) and lease.position >= now:
            return False
        lease.mark, lease.position = self.holder, now + LEASE_SECONDS
        return True

    async def _acquire(self) -> bool:
        async def work(db: AsyncSession) -> bool:
            return self._hold(await locked_cursor(db, LEASE))

        return await self.db.run(work)

    async def _release(self) -> None:
        async def work(db: AsyncSession) -> None:
            lease = await locked_cursor(db, LEASE)
            if lease.mark == self.holder:
                lease.mark, lease.position = None, 0

        try:
            await self.db.run(work)
        except (SQLAlchemyError, OSError):
            logger.warning("could not release the RabbitMQ lease; it expires by itself")

    async def _stand_down(self) -> None:
        assert self.rabbit is not None
        self.consuming = False
        try:
            await self.rabbit.close()
        except Exception as error:  # noqa: BLE001 - a broken connection is closed anyway
            logger.info("RabbitMQ connection closed with %s", type(error).__name__)

    async def step_rabbitmq(self, wait: float) -> int:
        """Applies the deliveries received (waiting up to ``wait`` s for one), then acks.

        Without the lease it only tries to take it (standing by ``wait`` seconds).
        """
        assert self.rabbit is not None
        rabbit = self.rabbit
        if not self.consuming:
            if not await self._acquire():
                await asyncio.sleep(wait)
                return 0
            await rabbit.start()
            self.consuming = True
            logger.info("analytics consumer %s consumes %s", self.holder, self.settings.queue)
        deliveries: list[Delivery] = await rabbit.take(self.settings.batch_size, wait)
        if not deliveries:
            if not await self._acquire():
                await self._stand_down()
            return 0
        events = [d.event for d in deliveries if d.event is not None]

        async def work(db: AsyncSession) -> int:
            if not self._hold(await locked_cursor(db, LEASE)):
                raise LeaseLost(self.holder)
            return await apply_events(db, events)

        try:
            await self.db.run(work)
        except LeaseLost:
            await rabbit.requeue(deliveries)
            await self._stand_down()
            return 0
        except BaseException:
            await rabbit.requeue(deliveries)
            raise
        await rabbit.ack(deliveries)
        return len(deliveries)

    async def sync_handoffs(self) -> int:
        """Copies the handoff episodes changed since the last sync; returns how many."""
        if self.handoff_db is None:
            return 0
        async with self.db.session() as db:
            since = await handoffs.cursor_mark(db)
            retry = await handoffs.unlinked_recent(db)
        try:
            async with self.handoff_db.session() as source:
                episodes, messages, names = await handoffs.read_changes(source, since, retry)
        except (OperationalError, ProgrammingError) as error:
            logger.debug("handoff tables not readable yet: %s", type(error).__name__)
            return 0
        if not episodes:
            return 0

        async def work(db: AsyncSession) -> int:
            count = await handoffs.apply_changes(db, episodes, messages, names, self.settings)
            await handoffs.save_mark(db, episodes)
            return count

        return await self.db.run(work)

    async def round(self) -> int:
        """One round: a batch of events, then (at most once a second) the handoffs."""
        if self.sql is not None:
            applied = await self.step_sql()
        else:
            applied = await self.step_rabbitmq(self.settings.poll_seconds)
        self.events_applied += applied
        now = time.monotonic()
        if now - self._last_handoff_sync >= HANDOFF_INTERVAL or not applied:
            self._last_handoff_sync = now
            await self.sync_handoffs()
        return applied

    async def drain(self, rounds: int = 10_000) -> None:
        """Rounds until a round finds nothing new (tests and the CLI's catch-up)."""
        for _ in range(rounds):
            if not await self.round():
                await self.sync_handoffs()
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set; a failing round is logged and retried later."""
        while not stop.is_set():
            try:
                applied = await self.round()
                self.last_error = None
            except Exception as error:  # noqa: BLE001 - a database or broker outage: retry
                self.last_error = type(error).__name__
                logger.warning("analytics round failed (%s); retrying", self.last_error)
                applied = 0
                if self.rabbit is not None and self.consuming:
                    await self._stand_down()  # reconnects (lease permitting) next round
            if not applied and (self.sql is not None or self.last_error):
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)
                except asyncio.TimeoutError:
                    pass

    def status(self) -> dict[str, Any]:
        """What ``GET /health`` answers."""
        return {
            "status": "ok" if self.last_error is None else "degraded",
            "source": self.settings.source,
            "events_applied": self.events_applied,
            "last_error": self.last_error,
        }


async def serve_health(consumer: Consumer, host: str, port: int) -> asyncio.AbstractServer:
    """A minimal HTTP endpoint: ``GET /health`` → 200 and :meth:`Consumer.status` as JSON."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=5)
            parts = line.decode("latin-1").split()
            found = len(parts) >= 2 and parts[0] == "GET" and parts[1].split("?")[0] == "/health"
            body = json.dumps(consumer.status() if found else {"error": "not_found"}).encode()
            status = "200 OK" if found else "404 Not Found"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (asyncio.TimeoutError, OSError, UnicodeDecodeError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
