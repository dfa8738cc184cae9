"""Channel bindings: which customer a channel user is, for a limited time.

A binding (made by phone + one-time code, :mod:`.binding_codes`) lasts a lifetime counted
from when it was made: web chat bindings are short (7 days by default: browsers are
shared), other channels' longer (30 days). An expired binding is ignored by lookups;
the customer binds again. :func:`unbind` ends one at once (the web channel calls it when
the company site's login changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.models import BindingCode, ChannelBinding
from zhike.servers.backend.services.common import current_time
from zhike.servers.backend.services.identity_fields import channel_user

# Channels whose users are browser sessions (the web widget is Rasa's ``socketio``).
WEB_CHANNELS = frozenset({"socketio", "rest", "web"})


@dataclass(frozen=True)
class BindingLifetimes:
    """How long a binding lasts: on web channels (:data:`WEB_CHANNELS`) and elsewhere."""

    web: timedelta = timedelta(days=7)
    other: timedelta = timedelta(days=30)

    def of(self, channel: str) -> timedelta:
        """The lifetime of a binding on ``channel`` (normalised name)."""
        return self.web if channel in WEB_CHANNELS else self.other


DEFAULT_LIFETIMES = BindingLifetimes()


@dataclass(frozen=True)
class ActiveBinding:
    """A binding in force: the customer and when it ends."""

    customer_id: str
    expires_at: datetime


async def get_binding(
    session: AsyncSession,
    channel: str,
    channel_user_id: str,
    *,
    lifetimes: BindingLifetimes = DEFAULT_LIFETIMES,
    now: datetime | None = None,
) -> ActiveBinding | None:
    """The binding of the channel user in force at ``now``, or ``None``.

    Raises:
        ApiError: 400 for malformed channel values.
    """
    now = current_time(now)
    name, user = channel_user(channel, channel_user_id)
    binding = await session.get(ChannelBinding, (name, user))
    if binding is None:
        return None
    expires_at = binding.updated_at + lifetimes.of(name)
    if expires_at <= now:
        return None
    return ActiveBinding(str(binding.customer_id), expires_at)


async def bind(
    session: AsyncSession, channel: str, user: str, customer_id: str, now: datetime
) -> ChannelBinding:
    """Binds the (normalised) channel user to ``customer_id`` from ``now`` on."""
    binding = await session.get(ChannelBinding, (channel, user), with_for_update=True)
    if binding is None:
        binding = ChannelBinding(
            channel=channel, channel_user_id=user, customer_id=customer_id, created_at=now
        )
        session.add(binding)
    binding.customer_id = customer_id
    binding.updated_at = now
    await session.flush()
    return binding


async def unbind(session: AsyncSession, channel: str, channel_user_id: str) -> bool:
    """Ends the channel user's binding and voids its pending codes; True if one existed.

    Raises:
        ApiError: 400 for malformed channel values.
    """
    name, user = channel_user(channel, channel_user_id)
    pending = await session.scalars(
        select(BindingCode).where(
            BindingCode.channel == name,
            BindingCode.channel_user_id == user,
            BindingCode.used.is_(False),
        )
    )
    for code in pending:
        code.used = True
    binding = await session.get(ChannelBinding, (name, user), with_for_update=True)
    if binding is not None:
        await session.delete(binding)
    await session.flush()
    return binding is not None
