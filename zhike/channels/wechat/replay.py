"""Replay protection shared by the WeChat channels and every Rasa replica: table ``wechat_replay``.

A signed callback URL (``timestamp``, ``nonce``, ``signature`` / ``msg_signature``) is
accepted for 5 minutes either side of our clock. Without memory of what was seen, a
captured callback could be sent again in that window -- and in the 公众号's plaintext
mode, whose ``signature`` does not cover the body, with another body (another
``FromUserName``: a forged customer). :class:`ReplayGuard` remembers, for each scope:

- ``<channel>-request``: every accepted signed request, keyed by a hash of what its
  signature covers, with a hash of its body. The same signed request with the *same* body
  is a retry (WeChat sends the identical callback again when it got no answer in 5 s):
  it goes on to the message de-duplication. With *another* body it is a forgery: refused.
- ``<channel>-message``: every message id (events: sender + CreateTime + event) taken
  into handling, so a retry that reaches another replica is not handled twice.

Entries live :data:`REPLAY_WINDOW` seconds, expired ones are deleted once a minute.
The database is ``ZHIKE_REPLAY_DB_URL`` (an async SQLAlchemy URL: PostgreSQL shared by
all replicas in production), default SQLite ``.zhike/replay.db``; ``memory`` keeps it in
the process only. Keys and digests are SHA-256 hashes: no openid or text is stored.
While the database fails, the guard carries on with the process's own memory (a warning
is logged once per outage), so a replay to the same process is still caught.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable

from sqlalchemy import Column, Float, Index, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.channels.wechat.turns import DEFAULT_MAX_ENTRIES, TtlCache
from zhike.common.database import AsyncDatabase, safe_url, state_sqlite_url

logger = logging.getLogger(__name__)

ENV_VAR = "ZHIKE_REPLAY_DB_URL"
DEFAULT_DB_FILE = "replay.db"
MEMORY = "memory"
REPLAY_WINDOW = 600.0  # a timestamp may be 300 s ahead and is accepted for 300 s after it
PRUNE_EVERY = 60.0
DEFAULT_TIMEOUT = 1.0  # WeChat waits 5 s in all; the bot gets what is left of 4

FIRST = "first"  # never seen: go on
REPEAT = "repeat"  # seen with the same digest: a retry of the same message
CONFLICT = "conflict"  # seen with another digest: a forgery

replay_metadata = MetaData()

wechat_replay = Table(
    "wechat_replay",
    replay_metadata,
    Column("scope", String(32), primary_key=True),
    Column("key", String(64), primary_key=True),  # SHA-256 hex of what identifies it
    Column("digest", String(64), nullable=False),  # SHA-256 hex of the body (or "")
    Column("expires_at", Float, nullable=False),  # unix seconds
    Index("ix_wechat_replay_expiry", "expires_at"),
)


def default_replay_db_url() -> str:
    """``ZHIKE_REPLAY_DB_URL``, else SQLite ``.zhike/replay.db`` under the working directory."""
    return os.environ.get(ENV_VAR) or state_sqlite_url(DEFAULT_DB_FILE)


def digest(*parts: str | bytes) -> str:
    """SHA-256 hex of the parts (separated, so ``("ab", "c")`` differs from ``("a", "bc")``)."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


class ReplayStore(AsyncDatabase):
    """The ``wechat_replay`` table (SQLite or PostgreSQL); each method is one transaction."""

    metadata = replay_metadata

    async def remember(self, scope: str, key: str, body_digest: str, now: float) -> str:
        """Records ``key`` until ``now + REPLAY_WINDOW``; :data:`FIRST`, REPEAT or CONFLICT.

        Two replicas recording the same key at once: one insert fails on the primary key,
        and :meth:`~zhike.common.database.AsyncDatabase.run` repeats the other's work, which then
        sees the winner's row.
        """

        async def work(session: AsyncSession) -> str:
            where = (wechat_replay.c.scope == scope, wechat_replay.c.key == key)
            row = (
                await session.execute(
                    select(wechat_replay.c.digest, wechat_replay.c.expires_at)
                    .where(*where)
                    .with_for_update()
                )
            ).first()
            expires_at = now + REPLAY_WINDOW
            if row is None:
                await session.execute(
                    insert(wechat_replay).values(
                        scope=scope, key=key, digest=body_digest, expires_at=expires_at
                    )
                )
                return FIRST
            if row.expires_at <= now:  # not pruned yet: a new life
                await session.execute(
                    update(wechat_replay)
                    .where(*where)
                    .values(digest=body_digest, expires_at=expires_at)
                )
                return FIRST
            return REPEAT if row.digest == body_digest else CONFLICT

        return await self.run(work)

    async def prune(self, now: float) -> int:
        """Deletes the expired entries; returns how many."""
        async with self.transaction() as session:
            result = await session.execute(
                delete(wechat_replay).where(wechat_replay.c.expires_at <= now)
            )
            return int(result.rowcount or 0)


class ReplayGuard:
    """What a channel asks: has this request / message been seen (see the module doc)?

    Create it anywhere; the database engine is made on first use, in the serving loop.

    Args:
        db_url: an async SQLAlchemy URL, or ``memory`` for this process only.
        clock: unix seconds (the channel's clock).
        timeout: seconds one database operation may take before it counts as failed.
    """

    def __init__(
        self,
        db_url: str,
        clock: Callable[[], float] = time.time,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.db_url = db_url
        self._clock = clock
        self._timeout = timeout
        self._local: TtlCache[str] = TtlCache(REPLAY_WINDOW, max_entries=DEFAULT_MAX_ENTRIES)
        self._store: ReplayStore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tables = False
        self._down = False
        self._next_prune = 0.0

    @property
    def shared(self) -> bool:
        """Whether entries go to a database (shared by replicas), not only memory."""
        return self.db_url.strip().lower() != MEMORY

    async def check(self, scope: str, key: str, body_digest: str = "") -> str:
        """Records ``key`` in ``scope``: :data:`FIRST`, :data:`REPEAT` or :data:`CONFLICT`.

        The database decides; while it fails (or with ``memory``), this process's memory
        of what the database accepted (and what it saw itself) does.
        """
        local_key = f"{scope}|{key}"
        store = self._bind()
        if store is not None:
            now = self._clock()
            try:
                if not self._tables:
                    await asyncio.wait_for(store.create_tables(), self._timeout)
                    self._tables = True
                shared = await asyncio.wait_for(
                    store.remember(scope, key, body_digest, now), self._timeout
                )
                if now >= self._next_prune:
                    self._next_prune = now + PRUNE_EVERY
                    await asyncio.wait_for(store.prune(now), self._timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(exc)
            else:
                if self._down:
                    self._down = False
                    logger.warning("wechat replay cache: the database works again.")
                if shared == FIRST:
                    self._local.put(local_key, body_digest)
                return shared
        return self._check_local(local_key, body_digest)

    async def aclose(self) -> None:
        """Closes the database connections (the guard can still be used afterwards)."""
        store, self._store, self._tables = self._store, None, False
        if store is not None:
            await store.dispose()

    def _check_local(self, key: str, body_digest: str) -> str:
        seen = self._local.get(key)
        if seen is None:
            self._local.put(key, body_digest)
            return FIRST
        return REPEAT if seen == body_digest else CONFLICT

    def _bind(self) -> ReplayStore | None:
        """The store of the running loop (made on first use; a new loop gets a new one)."""
        if not self.shared:
            return None
        loop = asyncio.get_running_loop()
        if self._store is None or self._loop is not loop:
            try:
                self._store = ReplayStore(self.db_url)
            except Exception as exc:  # a bad URL, a directory that cannot be made
                self._failed(exc)
                return None
            self._loop, self._tables = loop, False
            logger.info("wechat replay cache at %s", safe_url(self.db_url))
        return self._store

    def _failed(self, exc: BaseException) -> None:
        if self._down:
            logger.debug("wechat replay cache: database still failing (%s)", type(exc).__name__)
            return
        self._down = True
        logger.warning(
            "wechat replay cache: the database failed (%s); replays are only caught within "
            "this process until it works again.",
            type(exc).__name__,
        )
