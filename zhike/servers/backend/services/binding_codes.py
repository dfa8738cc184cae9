"""One-time codes that bind a channel user to the customer owning a phone.

A 6-digit code is valid 10 minutes, single use, void after 5 wrong tries; only a salted
HMAC-SHA256 of it is stored. Requesting one returns an opaque ``request_id``: the caller
confirms with it (or with nothing but the channel user: its newest code), so the phone
stays here and never has to travel again.

Limits (all counted from the database, so every replica agrees; over a limit is a 429
with the seconds until a retry may succeed):

* per channel user: 3 codes in 10 minutes (``too_many_codes``);
* per phone, whoever asks: 1 code a minute and 5 an hour (``too_many_codes``), so nobody
  can bomb a phone with text messages;
* across all phones: ``codes_per_minute`` (default 30) a minute (``too_many_codes``);
* per phone, whoever tries: 10 wrong codes an hour lock its confirmations
  (``too_many_attempts``) until the oldest of them is an hour old.

Known and unknown phones are treated alike (a code is recorded and counted either way),
so answers and limits reveal nothing about who is a customer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import BindingCode, ChannelBinding, Customer
from zhike.servers.backend.services import throttle
from zhike.servers.backend.services.bindings import bind
from zhike.servers.backend.services.common import current_time
from zhike.servers.backend.services.identity_fields import channel_user, mobile

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=10)
# (codes, window) per phone number, whoever asks.
PHONE_CODE_LIMITS = ((1, timedelta(minutes=1)), (5, timedelta(hours=1)))
DEFAULT_CODES_PER_MINUTE = 30
GLOBAL_WINDOW = timedelta(minutes=1)
PHONE_WRONG_CODES = 10
PHONE_WRONG_WINDOW = timedelta(hours=1)
_CODE_RE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOO_MANY_CODES = "验证码发送过于频繁，请稍后再试"
TOO_MANY_ATTEMPTS = "验证码错误次数过多，请稍后再试"


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code to deliver after the transaction commits.

    Attributes:
        phone: the 11-digit number it goes to.
        code: the plain code (never stored; deliver it, then forget it).
        customer_id: the customer owning ``phone``, ``None`` for an unknown phone (the
            code is recorded but delivered to nobody, so callers answer the same).
        expires_at: end of validity.
        request_id: the opaque handle to confirm the code with.
    """

    phone: str
    code: str
    customer_id: str | None
    expires_at: datetime
    request_id: str = ""


def hash_code(salt: str, code: str) -> str:
    """HMAC-SHA256 of ``code`` keyed with the hex ``salt``, as hex."""
    return hmac.new(bytes.fromhex(salt), code.encode("ascii"), hashlib.sha256).hexdigest()


async def _phone_owner(session: AsyncSession, phone: str) -> str | None:
    return await session.scalar(
        select(Customer.id).where(Customer.phone == phone).order_by(Customer.id).limit(1)
    )


async def _refuse_over(
    session: AsyncSession, condition: Any, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until fewer than ``limit`` codes matching ``condition`` are in ``window``."""
    times = list(
        await session.scalars(
            select(BindingCode.created_at)
            .where(condition, BindingCode.created_at > now - window)
            .order_by(BindingCode.created_at)
        )
    )
    if len(times) < limit:
        return None
    return throttle.seconds_until(times[len(times) - limit] + window, now)


async def request_binding_code(
    session: AsyncSession,
    phone: str,
    channel: str,
    channel_user_id: str,
    *,
    now: datetime | None = None,
    codes_per_minute: int = DEFAULT_CODES_PER_MINUTE,
) -> IssuedCode:
    """Records a new one-time code for the channel user and ``phone``; returns it to send.

    Earlier unused codes of the channel user are voided: only the newest code works.

    Raises:
        ApiError: 422 ``invalid_phone``; 400 malformed channel values; 429
            ``too_many_codes`` over a limit of the module docstring.
    """
    now = current_time(now)
    number = mobile(phone)
    name, user = channel_user(channel, channel_user_id)
    mine = (BindingCode.channel == name) & (BindingCode.channel_user_id == user)
    wait = await _refuse_over(session, mine, CODES_PER_WINDOW, CODE_WINDOW, now)
    if wait is not None:
        raise ApiError(429, "too_many_codes", TOO_MANY_CODES, retry_after=wait)
    # Lock rows serialise concurrent requests for the phone, then for everyone.
    await throttle.counter(session, "code_phone", number, now)
    await throttle.counter(session, "code_all", "*", now)
    for limit, window in PHONE_CODE_LIMITS:
        wait = await _refuse_over(session, BindingCode.phone == number, limit, window, now)
        if wait is not None:
            raise ApiError(429, "too_many_codes", TOO_MANY_CODES, retry_after=wait)
    everyone = BindingCode.id.isnot(None)
    wait = await _refuse_over(session, everyone, codes_per_minute, GLOBAL_WINDOW, now)
    if wait is not None:
        raise ApiError(429, "too_many_codes", "验证码发送繁忙，请稍后再试", retry_after=wait)
    earlier = await session.scalars(select(BindingCode).where(mine, BindingCode.used.is_(False)))
    for old in earlier:
        old.used = True
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    salt = secrets.token_hex(16)
    request_id = secrets.token_urlsafe(24)
    session.add(
        BindingCode(
            phone=number,
            channel=name,
            channel_user_id=user,
            request_id=request_id,
            salt=salt,
            code_hash=hash_code(salt, code),
            expires_at=now + CODE_TTL,
            attempts=0,
            used=False,
            created_at=now,
        )
    )
    await session.flush()
    owner = await _phone_owner(session, number)
    return IssuedCode(number, code, owner, now + CODE_TTL, request_id)


async def _code_row(
    session: AsyncSession,
    name: str,
    user: str,
    phone: str | None,
    request_id: str | None,
    now: datetime,
) -> BindingCode | None:
    """The code to check, locked; the phone's lock row is taken first (as on requests)."""
    query = select(BindingCode.id, BindingCode.phone).where(
        BindingCode.channel == name, BindingCode.channel_user_id == user
    )
    if request_id is not None:
        query = query.where(BindingCode.request_id == request_id)
    if phone is not None:
        query = query.where(BindingCode.phone == phone)
    query = query.order_by(BindingCode.created_at.desc(), BindingCode.id.desc()).limit(1)
    found = (await session.execute(query)).first()
    if found is None:
        return None
    await throttle.counter(session, "code_phone", str(found.phone), now)
    row: BindingCode | None = await session.scalar(
        select(BindingCode).where(BindingCode.id == found.id).with_for_update()
    )
    return row


async def _wrong_tries_wait(session: AsyncSession, phone: str, now: datetime) -> int | None:
    """Seconds the phone's confirmations stay locked after too many wrong codes."""
    rows = list(
        await session.execute(
            select(BindingCode.created_at, BindingCode.attempts)
            .where(
                BindingCode.phone == phone,
                BindingCode.created_at > now - PHONE_WRONG_WINDOW,
                BindingCode.attempts > 0,
            )
            .order_by(BindingCode.created_at)
        )
    )
    wrong = sum(int(attempts) for _, attempts in rows)
    if wrong < PHONE_WRONG_CODES:
        return None
    # Locked until enough of the oldest wrong tries leave the window.
    for created_at, attempts in rows:
        wrong -= int(attempts)
        if wrong < PHONE_WRONG_CODES:
            return throttle.seconds_until(created_at + PHONE_WRONG_WINDOW, now)
    return throttle.seconds_until(now + PHONE_WRONG_WINDOW, now)  # pragma: no cover


async def confirm_binding(
    session: AsyncSession,
    phone: str | None,
    code: str,
    channel: str,
    channel_user_id: str,
    *,
    request_id: str | None = None,
    now: datetime | None = None,
) -> ChannelBinding:
    """Binds the channel user to the customer owning the code's phone.

    The code checked is the channel user's newest one, narrowed to ``request_id`` and to
    ``phone`` when given (either may be omitted: the backend knows the phone). A right
    code is used up, a wrong one counts (the 5th wrong try voids the code). Rebinding a
    bound channel user moves it to the new customer and starts a new lifetime.

    Raises:
        ApiError: 422 ``invalid_phone`` for a malformed phone; 400 malformed channel
            values; 422 ``invalid_code`` for a wrong, used, void or expired code, an
            unknown request id, or a phone of no customer; 429 ``too_many_attempts``
            while the phone is locked. A wrong try is raised with ``keep_changes=True``.
    """
    now = current_time(now)
    number = None if phone is None or phone == "" else mobile(phone)
    name, user = channel_user(channel, channel_user_id)
    invalid = ApiError(422, "invalid_code", "验证码错误或已失效，请重新获取")
    entered = code.strip() if isinstance(code, str) else ""
    if not _CODE_RE.match(entered):
        raise invalid
    handle = None
    if request_id is not None and request_id != "":
        if not isinstance(request_id, str) or not _REQUEST_ID_RE.match(request_id):
            raise invalid
        handle = request_id
    row = await _code_row(session, name, user, number, handle, now)
    if row is None or row.used or row.attempts >= CODE_MAX_TRIES or row.expires_at <= now:
        raise invalid
    wait = await _wrong_tries_wait(session, str(row.phone), now)
    if wait is not None:
        raise ApiError(429, "too_many_attempts", TOO_MANY_ATTEMPTS, retry_after=wait)
    if not hmac.compare_digest(row.code_hash, hash_code(row.salt, entered)):
        row.attempts += 1
        await session.flush()
        raise ApiError(422, "invalid_code", invalid.message, keep_changes=True)
    row.used = True
    customer_id = await _phone_owner(session, str(row.phone))
    if customer_id is None:
        await session.flush()
        raise ApiError(422, "invalid_code", invalid.message, keep_changes=True)
    return await bind(session, name, user, customer_id, now)
