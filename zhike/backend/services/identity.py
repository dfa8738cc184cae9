"""Who is this sender: order phone checks, channel bindings and one-time codes.

Phone checks let an anonymous requester prove they know an order's phone (last 4 digits);
5 wrong tries lock the order for that requester for 15 minutes, and an unknown order
counts as a wrong try, so order numbers cannot be probed. Binding a channel user to a
customer takes a 6-digit one-time code sent to the customer's phone: valid 10 minutes,
single use, void after 5 wrong tries, at most 3 per channel user in 10 minutes. Only a
salted HMAC-SHA256 of a code is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.backend.errors import ApiError
from zhike.backend.models import BindingCode, ChannelBinding, Customer, Order, PhoneCheckAttempts
from zhike.backend.services.common import current_time, order_id_of
from zhike.formats import normalize_mobile

MAX_PHONE_TRIES = 5
PHONE_LOCK = timedelta(minutes=15)
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=10)
_CHANNEL_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
_LAST4_RE = re.compile(r"^\d{4}$")
_CODE_RE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")
REQUESTER_MAX = 128
CHANNEL_USER_MAX = 128


@dataclass(frozen=True)
class PhoneCheckResult:
    """``verified``; wrong tries left before the lock (0 when locked); the lock's end."""

    verified: bool
    attempts_left: int
    locked_until: datetime | None = None


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code to deliver after the transaction commits.

    Attributes:
        phone: the 11-digit number it goes to.
        code: the plain code (never stored; deliver it, then forget it).
        customer_id: the customer owning ``phone``, ``None`` for an unknown phone (the
            code is recorded but delivered to nobody, so callers answer the same).
        expires_at: end of validity.
    """

    phone: str
    code: str
    customer_id: str | None
    expires_at: datetime


def hash_code(salt: str, code: str) -> str:
    """HMAC-SHA256 of ``code`` keyed with the hex ``salt``, as hex."""
    return hmac.new(bytes.fromhex(salt), code.encode("ascii"), hashlib.sha256).hexdigest()


def _requester(raw: str) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > REQUESTER_MAX:
        raise ApiError(422, "invalid_requester", f"requester 应为 1-{REQUESTER_MAX} 个字符")
    return text


def channel_user(channel: str, channel_user_id: str) -> tuple[str, str]:
    """The normalised ``(channel, channel_user_id)``; 400 for malformed values."""
    name = channel.strip().lower() if isinstance(channel, str) else ""
    if not _CHANNEL_RE.match(name):
        raise ApiError(400, "invalid_channel", "渠道名称格式不正确")
    user = channel_user_id.strip() if isinstance(channel_user_id, str) else ""
    if not user or len(user) > CHANNEL_USER_MAX or not user.isprintable():
        raise ApiError(400, "invalid_channel_user_id", "渠道用户标识格式不正确")
    return name, user


def _phone(raw: str) -> str:
    phone = normalize_mobile(raw)
    if phone is None:
        raise ApiError(422, "invalid_phone", "请输入 11 位中国大陆手机号")
    return phone


async def check_order_phone(
    session: AsyncSession,
    order_id: str,
    last4: str,
    requester: str,
    *,
    now: datetime | None = None,
) -> PhoneCheckResult:
    """Checks the last 4 digits of an order's phone for ``requester`` (``channel:sender``).

    While locked even the right digits are refused; a right answer clears the count.

    Raises:
        ApiError: 422 ``invalid_last4`` / ``invalid_requester``; 400 ``invalid_order_id``.
    """
    now = current_time(now)
    if not isinstance(last4, str) or not _LAST4_RE.match(last4.strip()):
        raise ApiError(422, "invalid_last4", "请输入手机号后 4 位数字")
    who = _requester(requester)
    canonical = order_id_of(order_id)
    row = await session.scalar(
        select(PhoneCheckAttempts)
        .where(PhoneCheckAttempts.order_id == canonical, PhoneCheckAttempts.requester == who)
        .with_for_update()
    )
    if row is None:
        row = PhoneCheckAttempts(order_id=canonical, requester=who, failures=0, updated_at=now)
        session.add(row)
    if row.locked_until is not None:
        if row.locked_until > now:
            return PhoneCheckResult(False, 0, row.locked_until)
        row.locked_until, row.failures = None, 0
    phone = await session.scalar(select(Order.phone).where(Order.id == canonical))
    row.updated_at = now
    if phone is not None and phone[-4:] == last4.strip():
        row.failures = 0
        await session.flush()
        return PhoneCheckResult(True, MAX_PHONE_TRIES)
    row.failures += 1
    if row.failures >= MAX_PHONE_TRIES:
        row.locked_until = now + PHONE_LOCK
    await session.flush()
    return PhoneCheckResult(False, max(MAX_PHONE_TRIES - row.failures, 0), row.locked_until)


async def get_binding(session: AsyncSession, channel: str, channel_user_id: str) -> str | None:
    """The customer id bound to the channel user, or ``None``; 400 for malformed values."""
    name, user = channel_user(channel, channel_user_id)
    binding = await session.get(ChannelBinding, (name, user))
    return None if binding is None else str(binding.customer_id)


async def _phone_owner(session: AsyncSession, phone: str) -> str | None:
    return await session.scalar(
        select(Customer.id).where(Customer.phone == phone).order_by(Customer.id).limit(1)
    )


async def request_binding_code(
    session: AsyncSession,
    phone: str,
    channel: str,
    channel_user_id: str,
    *,
    now: datetime | None = None,
) -> IssuedCode:
    """Records a new one-time code for the channel user and ``phone``; returns it to send.

    Known and unknown phones are treated alike (a code is recorded either way), so the
    answer and the rate limit reveal nothing. Earlier unused codes of the channel user
    are voided: only the newest code works.

    Raises:
        ApiError: 422 ``invalid_phone``; 400 malformed channel values; 429
            ``too_many_codes`` after 3 codes for the channel user within 10 minutes.
    """
    now = current_time(now)
    number = _phone(phone)
    name, user = channel_user(channel, channel_user_id)
    recent = await session.scalar(
        select(func.count())
        .select_from(BindingCode)
        .where(
            BindingCode.channel == name,
            BindingCode.channel_user_id == user,
            BindingCode.created_at > now - CODE_WINDOW,
        )
    )
    if (recent or 0) >= CODES_PER_WINDOW:
        raise ApiError(429, "too_many_codes", "验证码发送过于频繁，请 10 分钟后再试")
    earlier = await session.scalars(
        select(BindingCode).where(
            BindingCode.channel == name,
            BindingCode.channel_user_id == user,
            BindingCode.used.is_(False),
        )
    )
    for old in earlier:
        old.used = True
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    salt = secrets.token_hex(16)
    session.add(
        BindingCode(
            phone=number,
            channel=name,
            channel_user_id=user,
            salt=salt,
            code_hash=hash_code(salt, code),
            expires_at=now + CODE_TTL,
            attempts=0,
            used=False,
            created_at=now,
        )
    )
    await session.flush()
    return IssuedCode(number, code, await _phone_owner(session, number), now + CODE_TTL)


async def confirm_binding(
    session: AsyncSession,
    phone: str,
    code: str,
    channel: str,
    channel_user_id: str,
    *,
    now: datetime | None = None,
) -> ChannelBinding:
    """Binds the channel user to the customer owning ``phone`` with the code sent to it.

    The newest code of the channel user for ``phone`` is checked; a right code is used
    up, a wrong one counts (the 5th wrong try voids the code). Rebinding a bound channel
    user moves it to the new customer.

    Raises:
        ApiError: 422 ``invalid_phone``; 400 malformed channel values; 422
            ``invalid_code`` for a wrong, used, void or expired code, or a phone of no
            customer. A wrong try is raised with ``keep_changes=True``: commit it.
    """
    now = current_time(now)
    number = _phone(phone)
    name, user = channel_user(channel, channel_user_id)
    invalid = ApiError(422, "invalid_code", "验证码错误或已失效，请重新获取")
    entered = code.strip() if isinstance(code, str) else ""
    if not _CODE_RE.match(entered):
        raise invalid
    row = await session.scalar(
        select(BindingCode)
        .where(
            BindingCode.channel == name,
            BindingCode.channel_user_id == user,
            BindingCode.phone == number,
        )
        .order_by(BindingCode.created_at.desc(), BindingCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None or row.used or row.attempts >= CODE_MAX_TRIES or row.expires_at <= now:
        raise invalid
    if not hmac.compare_digest(row.code_hash, hash_code(row.salt, entered)):
        row.attempts += 1
        await session.flush()
        raise ApiError(422, "invalid_code", invalid.message, keep_changes=True)
    row.used = True
    customer_id = await _phone_owner(session, number)
    if customer_id is None:
        await session.flush()
        raise ApiError(422, "invalid_code", invalid.message, keep_changes=True)
    binding = await session.get(ChannelBinding, (name, user), with_for_update=True)
    if binding is None:
        binding = ChannelBinding(
            channel=name, channel_user_id=user, customer_id=customer_id, created_at=now
        )
        session.add(binding)
    binding.customer_id = customer_id
    binding.updated_at = now
    await session.flush()
    return binding
