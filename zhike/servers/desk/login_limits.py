"""The login limits of the desk: failures counted in the database, password checks bounded.

A login attempt first reserves a failure row (``desk_login_failures``: username, client
address, time) in the transaction that counts the recent ones, so the limits hold across
every desk replica on the database. It is refused (429 ``too_many_attempts`` with
``Retry-After``) when, within their windows, there were already

- ``login_address_max_failures`` failures from the client's address (any username),
- ``login_max_failures`` failures at the username from that address, or
- ``login_account_max_failures`` failures at the username from all addresses.

An address that floods logins is stopped after a few attempts, without stopping the
agent who logs in from elsewhere. A correct password removes the reservation and the
username's failures from that address. On PostgreSQL the counting transactions of one
username or address are serialized with transaction-level advisory locks (SQLite's
``BEGIN IMMEDIATE`` serializes all writers anyway).

The password check itself (scrypt, 16 MiB each) runs in a small thread pool of its own:
at most ``login_hash_slots`` at once per process; a login that finds no free slot within
``login_hash_wait`` seconds is answered 503 ``login_busy`` instead of queueing.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import BigInteger, and_, delete, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.models import LoginFailure

T = TypeVar("T")


def _refuse_over(
    times: Sequence[datetime], limit: int, window: timedelta, now: datetime, message: str
) -> None:
    """429 when ``times`` (ascending, inside ``window``) hold ``limit`` or more failures."""
    if len(times) < limit:
        return
    retry = times[len(times) - limit] + window - now
    seconds = max(1, int(retry.total_seconds()) + 1)
    raise DeskError(429, "too_many_attempts", message, {"Retry-After": str(seconds)})


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit advisory lock key for a username or an address."""
    digest = hashlib.sha256(f"zhike.desk.login:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class LoginLimiter:
    """Counts failed logins in the desk database and refuses over the limits.

    Args:
        db: The database with ``desk_login_failures``.
        settings: The limits and their windows.
    """

    def __init__(self, db: DeskDatabase, settings: DeskSettings) -> None:
        self.db = db
        self.settings = settings

    async def _serialize(self, session: AsyncSession, username: str, address: str) -> None:
        if self.db.dialect != "postgresql":
            return
        for key in sorted({_lock_key("user", username), _lock_key("address", address)}):
            await session.execute(select(func.pg_advisory_xact_lock(literal(key, BigInteger))))

    async def reserve(self, username: str, address: str, now: datetime) -> int:
        """Reserves one failure for an attempt and returns its id.

        Raises:
            DeskError: 429 ``too_many_attempts`` (with ``Retry-After``) over a limit.
        """
        settings = self.settings
        account_since = now - settings.login_window
        address_since = now - settings.login_address_window

        async def work(session: AsyncSession) -> int:
            await self._serialize(session, username, address)
            oldest = min(account_since, address_since)
            await session.execute(delete(LoginFailure).where(LoginFailure.at <= oldest))
            from_address = (
                await session.execute(
                    select(LoginFailure.at)
                    .where(LoginFailure.address == address, LoginFailure.at > address_since)
                    .order_by(LoginFailure.at)
                )
            ).scalars()
            _refuse_over(
                list(from_address),
                settings.login_address_max_failures,
                settings.login_address_window,
                now,
                "too many failed logins from this address; try again later",
            )
            rows = (
                await session.execute(
                    select(LoginFailure.at, LoginFailure.address)
                    .where(LoginFailure.username == username, LoginFailure.at > account_since)
                    .order_by(LoginFailure.at)
                )
            ).all()
            for times, limit in (
                ([at for at, source in rows if source == address], settings.login_max_failures),
                ([at for at, _ in rows], settings.login_account_max_failures),
            ):
                _refuse_over(
                    times, limit, settings.login_window, now, "too many failed logins; try later"
                )
            failure = LoginFailure(username=username, address=address, at=now)
            session.add(failure)
            await session.flush()
            return int(failure.id)

        return await self.db.run(work)

    async def forget(self, failure_id: int) -> None:
        """Removes a reservation whose password was never checked."""

        async def work(session: AsyncSession) -> None:
            await session.execute(delete(LoginFailure).where(LoginFailure.id == failure_id))

        await self.db.run(work)

    @staticmethod
    async def succeeded(
        session: AsyncSession, username: str, address: str, failure_id: int
    ) -> None:
        """In the login's transaction: clears the reservation and this address's failures."""
        await session.execute(
            delete(LoginFailure).where(
                or_(
                    LoginFailure.id == failure_id,
                    and_(LoginFailure.username == username, LoginFailure.address == address),
                )
            )
        )


class HashSlots:
    """Runs password checks in ``slots`` threads of their own, refusing when all are busy.

    A slot is held until its thread has finished, also when the request that asked
    for it was abandoned meanwhile (the client went away), so no more than ``slots``
    checks ever run at once.

    Args:
        slots: Checks at once.
        wait: Seconds to wait for a free slot before 503 ``login_busy``.
    """

    def __init__(self, slots: int, wait: float) -> None:
        self.slots = slots
        self.wait = wait
        self._semaphore: asyncio.Semaphore | None = None
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a slot's thread.

        Raises:
            DeskError: 503 ``login_busy`` (``Retry-After: 1``) when no slot freed up.
        """
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.slots, thread_name_prefix="desk-password")
        semaphore = self._semaphore
        if not await self._acquire(semaphore):
            raise DeskError(
                503, "login_busy", "too many logins at once; try again", {"Retry-After": "1"}
            )
        try:
            future = asyncio.get_running_loop().run_in_executor(
                self._executor, partial(function, *args)
            )
        except BaseException:
            semaphore.release()
            raise
        future.add_done_callback(lambda _: semaphore.release())
        return await asyncio.shield(future)

    async def _acquire(self, semaphore: asyncio.Semaphore) -> bool:
        acquiring = asyncio.ensure_future(semaphore.acquire())
        try:
            done, _ = await asyncio.wait({acquiring}, timeout=self.wait)
        except BaseException:
            _abandon(acquiring, semaphore)
            raise
        if done:
            return True
        _abandon(acquiring, semaphore)
        return False

    def close(self) -> None:
        """Lets the threads end once their checks are done."""
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None


def _abandon(acquiring: asyncio.Future[Any], semaphore: asyncio.Semaphore) -> None:
    """Cancels a pending acquisition; a permit it got anyway is given back."""

    def give_back(done: asyncio.Future[Any]) -> None:
        if not done.cancelled() and done.exception() is None:
            semaphore.release()

    acquiring.add_done_callback(give_back)
    acquiring.cancel()
