"""Desk accounts, password logins with a rate limit, server-side sessions and CSRF tokens.

A login creates a session: a random token for the HttpOnly cookie (only its SHA-256 is
stored) and a random CSRF token bound to it, which the client echoes in ``X-CSRF-Token``
on every state-changing request. Sessions end at a fixed ``expires_at`` or at logout.

Each login attempt first reserves a failure row in the transaction that counts the
recent ones per client address and per username (:mod:`zhike.servers.desk.login_limits`), so
concurrent attempts on any replica cannot exceed the limits; a correct password then
clears the username's failures from that address. Passwords are checked in a bounded
thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.times import utcnow
from zhike.servers.desk.clients import UNKNOWN
from zhike.servers.desk.config import DeskSettings
from zhike.servers.desk.db import DeskDatabase
from zhike.servers.desk.errors import DeskError
from zhike.servers.desk.login_limits import HashSlots, LoginLimiter
from zhike.servers.desk.models import ROLES, SUPERVISOR_ROLE, Account, Session
from zhike.servers.desk.passwords import (
    DEFAULT_N,
    check_password,
    hash_password,
    password_problem,
)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
MAX_TOKEN = 128


def normalize_username(username: object) -> str | None:
    """The canonical (stripped, lower-case) username, or None if it cannot be one."""
    if not isinstance(username, str):
        return None
    name = username.strip().lower()
    return name if _USERNAME.match(name) else None


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class AccountInfo:
    """A desk account without its password hash."""

    id: int
    username: str
    agent_id: str
    role: str

    @property
    def supervisor(self) -> bool:
        """Whether the account has the supervisor role."""
        return self.role == SUPERVISOR_ROLE

    @classmethod
    def of(cls, row: Account) -> AccountInfo:
        """The snapshot of an account row."""
        return cls(id=row.id, username=row.username, agent_id=row.agent_id, role=row.role)


@dataclass(frozen=True)
class DeskSession:
    """A valid login session.

    Attributes:
        token: The secret cookie value (only returned by :meth:`DeskAuth.login`, else "").
        csrf_token: The token the client must echo in ``X-CSRF-Token``.
        expires_at: When the session ends (UTC).
        account: Who is logged in.
    """

    token: str
    csrf_token: str
    expires_at: datetime
    account: AccountInfo

    def csrf_ok(self, presented: str | None) -> bool:
        """Whether ``presented`` is this session's CSRF token (constant-time)."""
        if not presented or not presented.isascii():  # tokens are ASCII; odd bytes are not
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.csrf_token.encode("utf-8"))


class DeskAuth:
    """Accounts, logins and sessions of the desk on a :class:`DeskDatabase`.

    Args:
        db: The database with the ``desk_*`` tables.
        settings: Session lifetime and login rate limit.
        clock: Returns the current aware time (tests pass a controllable clock).
        scrypt_n: scrypt cost for new password hashes (tests may lower it).
    """

    def __init__(
        self,
        db: DeskDatabase,
        settings: DeskSettings,
        clock: Callable[[], datetime] = utcnow,
        scrypt_n: int = DEFAULT_N,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.scrypt_n = scrypt_n
        self.limits = LoginLimiter(db, settings)
        self.hashing = HashSlots(settings.login_hash_slots, settings.login_hash_wait)

    def _now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    async def create_account(
        self, username: str, password: str, agent_id: str, role: str = "agent"
    ) -> AccountInfo:
        """Adds an account acting as handoff agent ``agent_id``.

        Raises:
            DeskError: 400 for an invalid username, password, agent id or role; 409 when
                the username or agent already has an account.
        """
        name = normalize_username(username)
        if name is None:
            raise DeskError(400, "invalid_username", "username: 1-64 of a-z 0-9 . _ @ -")
        problem = password_problem(password)
        if problem is not None:
            raise DeskError(400, "invalid_password", problem)
        if not isinstance(agent_id, str) or not _AGENT_ID.match(agent_id):
            raise DeskError(400, "invalid_agent_id", "agent id: 1-64 of A-Z a-z 0-9 . _ : -")
        if role not in ROLES:
            raise DeskError(400, "invalid_role", f"role must be one of {', '.join(ROLES)}")
        hashed = await asyncio.to_thread(hash_password, password, self.scrypt_n)

        async def work(session: AsyncSession) -> AccountInfo:
            taken = await session.scalar(
                select(func.count(Account.id)).where(
                    (Account.username == name) | (Account.agent_id == agent_id)
                )
            )
            if taken:
                raise DeskError(409, "account_exists", "username or agent has an account")
            row = Account(username=name, agent_id=agent_id, role=role, password_hash=hashed)
            session.add(row)
            await session.flush()
            return AccountInfo.of(row)

        return await self.db.run(work)

    async def set_password(self, username: str, password: str) -> None:
        """Replaces an account's password and ends all its sessions."""
        problem = password_problem(password)
        if problem is not None:
            raise DeskError(400, "invalid_password", problem)
        hashed = await asyncio.to_thread(hash_password, password, self.scrypt_n)
        name = normalize_username(username)

        async def work(session: AsyncSession) -> None:
            row = (
                await session.execute(select(Account).where(Account.username == name))
            ).scalar_one_or_none()
            if row is None:
                raise DeskError(404, "account_not_found", "no such account")
            row.password_hash = hashed
            await session.execute(delete(Session).where(Session.account_id == row.id))

        await self.db.run(work)

    async def login(
        self, username: object, password: object, address: str = UNKNOWN
    ) -> DeskSession:
        """Checks the password and opens a session.

        Args:
            username: The username as typed.
            password: The password as typed.
            address: The client's address key (:mod:`zhike.servers.desk.clients`).

        Raises:
            DeskError: 401 ``invalid_credentials`` (unknown user, wrong password or
                disabled account alike), 429 ``too_many_attempts`` over a rate limit, 503
                ``login_busy`` when every password check slot is taken.
        """
        name = normalize_username(username)
        if name is None or not isinstance(password, str) or not password:
            raise DeskError(401, "invalid_credentials", "wrong username or password")
        now = self._now()
        failure_id = await self.limits.reserve(name, address, now)
        async with self.db.session() as session:
            row = (
                await session.execute(select(Account).where(Account.username == name))
            ).scalar_one_or_none()
        stored = None if row is None or row.disabled else row.password_hash
        try:
            correct = await self.hashing.run(check_password, password[:256], stored)
        except DeskError:
            await self.limits.forget(failure_id)  # not checked: not a failure
            raise
        if row is None or not correct:
            raise DeskError(401, "invalid_credentials", "wrong username or password")
        account = AccountInfo.of(row)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + self.settings.session_lifetime

        async def work(session: AsyncSession) -> None:
            await self.limits.succeeded(session, name, address, failure_id)
            await session.execute(delete(Session).where(Session.expires_at <= now))
            session.add(
                Session(
                    token_hash=token_digest(token),
                    account_id=account.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )

        await self.db.run(work)
        return DeskSession(token, csrf, expires, account)

    async def session(self, token: str | None) -> DeskSession | None:
        """The live session of a cookie token, or None (unknown, expired, disabled)."""
        if not token or len(token) > MAX_TOKEN or not token.isascii():
            return None
        async with self.db.session() as session:
            found = (
                await session.execute(
                    select(Session, Account)
                    .join(Account, Account.id == Session.account_id)
                    .where(Session.token_hash == token_digest(token))
                )
            ).one_or_none()
        if found is None:
            return None
        row, account = found
        if row.expires_at <= self._now() or account.disabled:
            return None
        return DeskSession("", row.csrf_token, row.expires_at, AccountInfo.of(account))

    async def logout(self, token: str) -> None:
        """Ends the session of a cookie token (nothing happens for an unknown token)."""

        async def work(session: AsyncSession) -> None:
            await session.execute(delete(Session).where(Session.token_hash == token_digest(token)))

        await self.db.run(work)

    async def accounts(self) -> list[AccountInfo]:
        """Every account, by username."""
        async with self.db.session() as session:
            rows = (await session.execute(select(Account).order_by(Account.username))).scalars()
            return [AccountInfo.of(row) for row in rows]

    def close(self) -> None:
        """Lets the password check threads end."""
        self.hashing.close()
