"""Order phone checks: an anonymous requester proves they know an order's phone (last 4).

Three counters of wrong tries guard the 10,000 combinations, all in the database:

* per requester and order: 5 wrong tries lock the order for that requester for 15
  minutes (a right answer clears this count);
* per order, from every requester together: 10 wrong tries within 15 minutes lock the
  order's phone checks for everyone for 15 minutes, so rotating sender ids does not help
  (a logged-in owner never needs a phone check and is not affected);
* per client address, when the caller passes one: 30 wrong tries within 15 minutes lock
  that address out of every phone check for 15 minutes.

An unknown order counts as a wrong try, so order numbers cannot be probed. While any
lock holds even the right digits are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Order, PhoneCheckAttempts
from zhike.servers.backend.services import throttle
from zhike.servers.backend.services.common import current_time, order_id_of
from zhike.servers.backend.services.identity_fields import client_address, requester
from zhike.servers.backend.services.throttle import Limit

MAX_PHONE_TRIES = 5
PHONE_LOCK = timedelta(minutes=15)
ORDER_LIMIT = Limit(max_failures=10, window=timedelta(minutes=15), lock=timedelta(minutes=15))
ADDRESS_LIMIT = Limit(max_failures=30, window=timedelta(minutes=15), lock=timedelta(minutes=15))
ORDER_SCOPE = "order"
ADDRESS_SCOPE = "address"
_LAST4_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class PhoneCheckResult:
    """``verified``; wrong tries left before a lock (0 when locked); the lock's end."""

    verified: bool
    attempts_left: int
    locked_until: datetime | None = None


async def _requester_row(
    session: AsyncSession, order_id: str, who: str, now: datetime
) -> PhoneCheckAttempts:
    row = await session.scalar(
        select(PhoneCheckAttempts)
        .where(PhoneCheckAttempts.order_id == order_id, PhoneCheckAttempts.requester == who)
        .with_for_update()
    )
    if row is None:
        row = PhoneCheckAttempts(order_id=order_id, requester=who, failures=0, updated_at=now)
        session.add(row)
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until, row.failures = None, 0
    return row


async def check_order_phone(
    session: AsyncSession,
    order_id: str,
    last4: str,
    requester_id: str,
    client_address_raw: str | None = None,
    *,
    now: datetime | None = None,
) -> PhoneCheckResult:
    """Checks the last 4 digits of an order's phone for ``requester_id`` (``channel:sender``).

    Args:
        session: the transaction.
        order_id: the order, any case.
        last4: the digits the requester gave.
        requester_id: ``"<channel>:<sender id>"``.
        client_address_raw: the requester's IP address when the caller knows it.
        now: the clock (tests).

    Raises:
        ApiError: 422 ``invalid_last4`` / ``invalid_requester`` / ``invalid_client_address``;
            400 ``invalid_order_id``.
    """
    now = current_time(now)
    if not isinstance(last4, str) or not _LAST4_RE.match(last4.strip()):
        raise ApiError(422, "invalid_last4", "请输入手机号后 4 位数字")
    who = requester(requester_id)
    address = client_address(client_address_raw)
    canonical = order_id_of(order_id)
    row = await _requester_row(session, canonical, who, now)
    order_row = await throttle.counter(session, ORDER_SCOPE, canonical, now)
    address_row = None
    if address is not None:
        address_row = await throttle.counter(session, ADDRESS_SCOPE, address, now)
    locks = [row.locked_until, throttle.active_lock(order_row, now)]
    if address_row is not None:
        locks.append(throttle.active_lock(address_row, now))
    active = [lock for lock in locks if lock is not None]
    row.updated_at = now
    if active:
        await session.flush()
        return PhoneCheckResult(False, 0, max(active))
    phone = await session.scalar(select(Order.phone).where(Order.id == canonical))
    if phone is not None and phone[-4:] == last4.strip():
        row.failures = 0
        await session.flush()
        return PhoneCheckResult(True, MAX_PHONE_TRIES)
    row.failures += 1
    if row.failures >= MAX_PHONE_TRIES:
        row.locked_until = now + PHONE_LOCK
    caused = [row.locked_until, throttle.record_failure(order_row, ORDER_LIMIT, now)]
    left = [
        MAX_PHONE_TRIES - row.failures,
        throttle.failures_left(order_row, ORDER_LIMIT, now),
    ]
    if address_row is not None:
        caused.append(throttle.record_failure(address_row, ADDRESS_LIMIT, now))
        left.append(throttle.failures_left(address_row, ADDRESS_LIMIT, now))
    await session.flush()
    locked = [lock for lock in caused if lock is not None]
    return PhoneCheckResult(False, max(min(left), 0), max(locked) if locked else None)
