"""Failure counters and locks kept in the database, so every replica sees the same state.

A counter (:class:`~zhike.servers.backend.models.AttemptCounter`) counts failures in a window that
starts with the first failure; reaching :attr:`Limit.max_failures` within the window locks
the ``(scope, key)`` for :attr:`Limit.lock`. Rows are read ``FOR UPDATE``, which also makes
a counter row a lock that serialises concurrent transactions on the same key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.models import AttemptCounter

KEY_MAX = 128


@dataclass(frozen=True)
class Limit:
    """At most ``max_failures`` failures within ``window``, else locked for ``lock``."""

    max_failures: int
    window: timedelta
    lock: timedelta


def _insert_if_missing(dialect: str) -> Any | None:
    """``INSERT ... ON CONFLICT DO NOTHING`` of the dialect, when it has one."""
    if dialect == "postgresql":
        return postgresql.insert(AttemptCounter).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(AttemptCounter).on_conflict_do_nothing()
    return None


async def counter(session: AsyncSession, scope: str, key: str, now: datetime) -> AttemptCounter:
    """The counter row of ``(scope, key)``, locked for this transaction (created if new).

    The row is created with ``ON CONFLICT DO NOTHING``, so concurrent first uses of a key
    wait for each other instead of colliding; elsewhere a collision is an
    ``IntegrityError`` that :meth:`~zhike.common.database.AsyncDatabase.run` retries.
    """
    key = key[:KEY_MAX]
    bind = session.bind
    statement = _insert_if_missing(bind.dialect.name if bind is not None else "")
    if statement is not None:
        values = {"scope": scope, "key": key, "failures": 0, "updated_at": now}
        await session.execute(statement.values(**values))
    row = await session.get(
        AttemptCounter, (scope, key), with_for_update=True, populate_existing=True
    )
    if row is None:
        row = AttemptCounter(scope=scope, key=key, failures=0, updated_at=now)
        session.add(row)
        await session.flush()
    return row


def active_lock(row: AttemptCounter, now: datetime) -> datetime | None:
    """When the row's lock ends, or ``None``; an ended lock starts a fresh count."""
    if row.locked_until is None:
        return None
    if row.locked_until > now:
        return row.locked_until
    row.locked_until, row.failures, row.window_started_at = None, 0, None
    return None


def _current_failures(row: AttemptCounter, limit: Limit, now: datetime) -> int:
    started = row.window_started_at
    if started is None or now - started >= limit.window:
        return 0
    return int(row.failures)


def failures_left(row: AttemptCounter, limit: Limit, now: datetime) -> int:
    """Failures still allowed before the lock (0 while locked)."""
    if active_lock(row, now) is not None:
        return 0
    return max(limit.max_failures - _current_failures(row, limit, now), 0)


def record_failure(row: AttemptCounter, limit: Limit, now: datetime) -> datetime | None:
    """Counts one failure; returns the end of the lock it caused, if any."""
    if _current_failures(row, limit, now) == 0:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    row.updated_at = now
    if row.failures >= limit.max_failures:
        row.locked_until = now + limit.lock
        return row.locked_until
    return None


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``moment``, at least 1 (a ``Retry-After`` value)."""
    return max(1, math.ceil((moment - now).total_seconds()))
