"""Rasa's event brokers, masking personal data (the SQL one also writing off the loop).

``endpoints.yml`` names it (``event_broker: type: zhike.analytics.broker.MaskingSQLEventBroker``).
It is Rasa 3.6's ``SQLEventBroker`` -- same settings, same ``events`` table (``id``,
``sender_id``, ``data``) that :class:`zhike.analytics.sources.SqlEventSource` reads --
with two changes:

* every string of the event goes through :func:`zhike.common.privacy.mask_text` first
  (phone and ID-card numbers masked), as the tracker store does for its own table, so no
  customer number rests in clear in it -- except the machine values that must stay as
  they are (:data:`KEPT_KEYS`: the conversation's ``sender_id``, message ids, the signed
  identity assertion, delivery keys);
* Rasa calls ``publish`` on its event loop, and the base class writes (and commits) each
  event there; here ``publish`` only queues the event, and one writer thread drains the
  queue and writes everything queued (at most :data:`BATCH` events) in one transaction,
  in order -- a turn never waits for the disk, and under load one commit carries many
  events instead of one (``python -m bench.broker`` measures it). When a batch fails,
  its events are written again one by one, so a bad event loses only itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.brokers.sql import SQLEventBroker

from zhike.common.privacy import mask_text

logger = logging.getLogger(__name__)

# Machine values compared or verified later, never free text (the tracker store's list).
KEPT_KEYS = frozenset(
    {
        "sender_id",
        "event",
        "name",
        "timestamp",
        "message_id",
        "input_channel",
        "zhike_identity",
        "zhike_outbox_key",
        "zhike_key",
    }
)
MAX_DEPTH = 32
# Events written in one transaction at most.
BATCH = 500


def masked_event(value: Any, depth: int = MAX_DEPTH) -> Any:
    """The event with every phone and ID-card number in its strings masked (recursively)."""
    if isinstance(value, str):
        return mask_text(value)
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {k: v if k in KEPT_KEYS else masked_event(v, depth - 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked_event(item, depth - 1) for item in value]
    return value


class MaskingSQLEventBroker(SQLEventBroker):
    """``SQLEventBroker`` that masks and writes in batches from a thread (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite" and kwargs.get("db"):
            Path(str(kwargs["db"])).expanduser().parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhike-events")
        self._queued: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._draining = False  # a drain is submitted to the writer and not finished

    def publish(self, event: dict[str, Any]) -> None:
        """Queues the masked event for the writer thread (events keep their order)."""
        masked = masked_event(event)
        with self._lock:
            self._queued.append(masked)
            if self._draining:
                return  # the running drain takes it
            self._draining = True
        try:
            self._writer.submit(self._drain)
        except RuntimeError:  # closed: Rasa publishes nothing after closing its broker
            with self._lock:
                self._queued.clear()
                self._draining = False
            logger.warning("event broker: closed, an event was not stored")

    def _drain(self) -> None:
        """Writes what is queued, :data:`BATCH` events per transaction, until none is left."""
        while True:
            with self._lock:
                if not self._queued:
                    self._draining = False
                    return
                count = min(BATCH, len(self._queued))
                batch = [self._queued.popleft() for _ in range(count)]
            try:
                self._write_batch(batch)
            except Exception:  # noqa: BLE001 - the writer must keep draining whatever happens
                logger.exception("event broker: %d events were not stored", len(batch))

    def _write_batch(self, events: list[dict[str, Any]]) -> None:
        rows = []
        for event in events:
            try:
                rows.append({"sender_id": event.get("sender_id"), "data": json.dumps(event)})
            except (TypeError, ValueError) as error:
                logger.warning("event broker: an event was not stored (%s)", type(error).__name__)
        if not rows:
            return
        try:
            self._insert(rows)
            return
        except Exception as error:  # noqa: BLE001 - retried one by one below
            if len(rows) == 1:
                logger.warning("event broker: an event was not stored (%s)", type(error).__name__)
                return
            logger.info("event broker: a batch of %d failed; writing one by one", len(rows))
        for row in rows:
            try:
                self._insert([row])
            except Exception as error:  # noqa: BLE001 - a lost event must not kill the writer
                logger.warning("event broker: an event was not stored (%s)", type(error).__name__)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Inserts ``rows`` into ``events`` in one transaction, in order."""
        with self.engine.begin() as connection:
            connection.execute(self.SQLBrokerEvent.__table__.insert(), rows)

    async def close(self) -> None:
        """Waits until every queued event is written."""
        await asyncio.get_running_loop().run_in_executor(None, self._writer.shutdown, True)


class MaskingPikaEventBroker(PikaEventBroker):
    """Rasa's RabbitMQ (pika) event broker that masks like :class:`MaskingSQLEventBroker`.

    For ``deploy/endpoints.production.yml``: ``type:
    zhike.analytics.broker.MaskingPikaEventBroker`` with the pika broker's settings keeps
    customers' numbers out of the queue (the analytics consumer masks what it stores
    either way). Publishing is already asynchronous in the base class.
    """

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Publishes the masked event."""
        super().publish(masked_event(event), headers)
