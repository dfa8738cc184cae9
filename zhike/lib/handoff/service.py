"""The transactional facade of the handoff library: one call, one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.times import utcnow
from zhike.lib.handoff import conversations, messages, notices, outbox, queue, reassign
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.handoff.db import HandoffDatabase
from zhike.lib.handoff.errors import InvalidInput
from zhike.lib.handoff.models import AGENT, DELIVER, HANDED_BACK, TAKEN_OVER, Agent, Message
from zhike.lib.handoff.results import (
    AgentLoad,
    ConversationInfo,
    HandoffOutcome,
    QueueEntry,
    RouteDecision,
    StoredMessage,
)


class HandoffService:
    """Human handoff operations, each in its own transaction (retried on collisions).

    Every method takes an optional ``now`` (aware datetime); without it the service's
    clock is read. Recorded and returned timestamps are UTC; ``reply_by`` is in the
    desk's zone. Refusals raise :class:`~zhike.lib.handoff.errors.HandoffError`
    subclasses and change nothing.

    Args:
        db: The database holding the ``handoff_*`` tables.
        settings: Business hours, wait defaults and limits.
        clock: Returns the current aware time (tests pass a fixed clock).
    """

    def __init__(
        self,
        db: HandoffDatabase,
        settings: HandoffSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings or HandoffSettings()
        self.clock = clock

    def _now(self, now: datetime | None) -> datetime:
        at = now if now is not None else self.clock()
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidInput("times must be timezone-aware", "naive_datetime")
        return at.astimezone(timezone.utc)

    async def request_handoff(
        self,
        sender_id: str,
        channel: str,
        customer_id: str | None = None,
        skill_group: str = "general",
        summary: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> HandoffOutcome:
        """Queues the sender for an agent; see :func:`conversations.request_handoff`."""
        at = self._now(now)
        return await self.db.run(
            lambda s: conversations.request_handoff(
                s, self.settings, sender_id, channel, customer_id, skill_group, summary, at
            )
        )

    async def waiting_outcome(self, sender_id: str, channel: str) -> HandoffOutcome | None:
        """Place in line and expected wait of a queued sender; see :mod:`conversations`."""
        return await self.db.run(
            lambda s: conversations.waiting_outcome(s, self.settings, sender_id, channel)
        )

    async def accept(
        self,
        agent_id: str,
        conversation_id: int,
        now: datetime | None = None,
        notify_bot: bool = False,
        notify_customer: bool = False,
    ) -> ConversationInfo:
        """Assigns a queued conversation to the agent; see :func:`conversations.accept`.

        ``notify_bot`` queues a ``taken_over`` outbox row in the same transaction (also
        when the owner accepts again); its id is the result's ``outbox_id``. With
        ``notify_customer`` too, a real acceptance also tells the customer who took over
        (:mod:`notices`), after it.
        """
        at = self._now(now)

        async def work(session: AsyncSession) -> ConversationInfo:
            agent = await conversations.lock_agent(session, agent_id)  # accept's lock order
            before = await conversations.lock_conversation(session, conversation_id)
            again = before.state == AGENT and before.agent_id == agent_id
            info = await conversations.accept(session, agent_id, conversation_id, at)
            info = await _notified(session, info, TAKEN_OVER, at, notify_bot)
            if notify_bot and notify_customer and not again:
                await self._notice(session, info.id, notices.ACCEPTED, at, agent_name=agent.name)
            return info

        return await self.db.run(work)

    async def transfer(
        self,
        conversation_id: int,
        skill_group: str,
        agent_id: str | None = None,
        now: datetime | None = None,
        notify_customer: bool = False,
    ) -> ConversationInfo:
        """Re-queues the conversation in another group; see :func:`conversations.transfer`.

        ``notify_customer`` tells the customer, in the same transaction, that they are being
        transferred (a notice; its outbox row is the result's ``outbox_id``).
        """
        at = self._now(now)

        async def work(session: AsyncSession) -> ConversationInfo:
            info = await conversations.transfer(session, conversation_id, skill_group, agent_id, at)
            if not notify_customer:
                return info
            outbox_id = await self._notice(
                session, info.id, notices.TRANSFERRING, at, group=skill_group
            )
            return replace(info, outbox_id=outbox_id)

        return await self.db.run(work)

    async def reassign(
        self,
        conversation_id: int,
        agent_id: str,
        now: datetime | None = None,
        notify_customer: bool = True,
    ) -> ConversationInfo:
        """A supervisor gives a live conversation to another agent; see :mod:`reassign`.

        When it changes hands, a ``taken_over`` row and (``notify_customer``) the new
        agent's accept notice are queued in the same transaction (``outbox_id``: the last).
        """
        at = self._now(now)

        async def work(session: AsyncSession) -> ConversationInfo:
            info, moved = await reassign.reassign(session, conversation_id, agent_id, at)
            if not moved:
                return info
            info = await _notified(session, info, TAKEN_OVER, at, True)
            if not notify_customer:
                return info
            agent = await conversations.lock_agent(session, agent_id)
            notice = await self._notice(
                session, info.id, notices.ACCEPTED, at, agent_name=agent.name
            )
            return replace(info, outbox_id=notice)

        return await self.db.run(work)

    async def _notice(
        self, session: AsyncSession, conversation_id: int, kind: str, at: datetime, **values: str
    ) -> int:
        return await notices.add_notice(session, self.settings, conversation_id, kind, at, **values)

    async def close(
        self,
        conversation_id: int,
        agent_id: str | None,
        disposition: str,
        now: datetime | None = None,
        notify_bot: bool = False,
        notify_customer: bool = False,
    ) -> ConversationInfo:
        """Closes the episode and hands back to the bot; see :func:`conversations.close`.

        ``notify_bot`` queues a ``handed_back`` outbox row (which asks for the rating) in
        the same transaction; with ``notify_customer`` the customer's closing notice
        goes before it.
        """
        at = self._now(now)

        async def work(session: AsyncSession) -> ConversationInfo:
            info = await conversations.close(session, conversation_id, agent_id, disposition, at)
            if notify_bot and notify_customer:
                await self._notice(session, info.id, notices.ENDED, at)
            return await _notified(session, info, HANDED_BACK, at, notify_bot)

        return await self.db.run(work)

    async def rate(
        self,
        conversation_id: int,
        score: int,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> ConversationInfo:
        """Records the 1-5 CSAT rating once; see :func:`conversations.rate`."""
        at = self._now(now)
        return await self.db.run(
            lambda s: conversations.rate(s, self.settings, conversation_id, score, comment, at)
        )

    async def rate_latest(
        self,
        sender_id: str,
        channel: str,
        customer_id: str | None,
        score: int,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> ConversationInfo:
        """Rates the sender's just-closed agent episode, else their bot conversation."""
        at = self._now(now)
        return await self.db.run(
            lambda s: conversations.rate_latest(
                s, self.settings, sender_id, channel, customer_id, score, comment, at
            )
        )

    async def append_message(
        self,
        conversation_id: int,
        direction: str,
        text: str,
        idempotency_key: str,
        payload: dict[str, Any] | None = None,
        now: datetime | None = None,
        agent_id: str | None = None,
        notify_bot: bool = False,
        notify_customer: bool = False,
    ) -> StoredMessage:
        """Stores a message once, in order; see :func:`messages.append_message`.

        ``agent_id`` (direction ``agent``): the conversation must be with this agent,
        checked under its row lock. ``notify_bot`` queues a ``deliver`` outbox row for a
        newly stored agent message in the same transaction (``outbox_id``);
        ``notify_customer`` adds the agent's name (``agent_name``) for the customer to see.
        """
        at = self._now(now)

        async def work(session: AsyncSession) -> StoredMessage:
            shown = payload
            if direction == "agent" and agent_id is not None and notify_customer:
                agent = await session.get(Agent, agent_id)  # the name the customer sees
                shown = {**(payload or {}), "agent_name": agent.name if agent else agent_id}
            message = await messages.append_message(
                session,
                self.settings,
                conversation_id,
                direction,
                text,
                idempotency_key,
                shown,
                at,
                agent_id=agent_id,
            )
            if not (notify_bot and message.created and direction == "agent"):
                return message
            outbox_id = await outbox.enqueue(session, conversation_id, DELIVER, at, message)
            return replace(message, outbox_id=outbox_id)

        return await self.db.run(work)

    async def route_user_message(
        self,
        sender_id: str,
        channel: str,
        text: str,
        idempotency_key: str,
        payload: dict[str, Any] | None = None,
        now: datetime | None = None,
        leave_queue: bool = False,
    ) -> RouteDecision:
        """Bot or agent? Stores agent-bound messages; see :func:`messages.route_user_message`.

        ``leave_queue``: the customer asked to stop waiting; a queued episode is closed.
        """
        at = self._now(now)
        message = (sender_id, channel, text, idempotency_key, payload, at, leave_queue)
        return await self.db.run(lambda s: messages.route_user_message(s, self.settings, *message))

    async def queue(
        self, skill_group: str | None = None, now: datetime | None = None
    ) -> list[QueueEntry]:
        """The waiting conversations (one group or all), oldest first, with waiting times."""
        if skill_group is not None:
            conversations.check_group(skill_group)
        at = self._now(now)
        async with self.db.session() as session:
            return await queue.list_queue(session, skill_group, at)

    async def agent_load(self) -> list[AgentLoad]:
        """Every agent with online flag, active conversations and capacity."""
        async with self.db.session() as session:
            return await queue.agent_loads(session)

    async def agent(self, agent_id: str) -> AgentLoad | None:
        """One agent's load, ``None`` for an unknown id."""
        async with self.db.session() as session:
            found = await queue.agent_loads(session, agent_id)
        return found[0] if found else None

    async def conversation(self, conversation_id: int) -> ConversationInfo:
        """A snapshot of one episode."""
        async with self.db.session() as session:
            row = await conversations.lock_conversation(session, conversation_id)
            return ConversationInfo.of(row)

    async def messages(self, conversation_id: int, after_seq: int = 0) -> list[StoredMessage]:
        """The episode's messages after ``after_seq``, in order (for the desk to poll)."""
        async with self.db.session() as session:
            await conversations.lock_conversation(session, conversation_id)  # must exist
            rows = await session.execute(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
                .order_by(Message.seq)
            )
            return [StoredMessage.of(row, created=False) for row in rows.scalars()]

    async def save_agent(
        self,
        agent_id: str,
        name: str,
        skill_groups: Iterable[str],
        max_concurrent: int = 3,
        supervisor: bool = False,
        online: bool | None = None,
    ) -> AgentLoad:
        """Creates or updates an agent (``online`` None keeps the current flag)."""
        groups = sorted(set(skill_groups))
        for group in groups:
            conversations.check_group(group)
        if isinstance(max_concurrent, bool) or not 1 <= max_concurrent <= 100:
            raise InvalidInput("max_concurrent must be 1-100", "invalid_max_concurrent")
        if not agent_id or len(agent_id) > 64 or not name or len(name) > 128:
            raise InvalidInput("agent id (1-64) and name (1-128) are required", "invalid_agent")

        async def work(session: AsyncSession) -> AgentLoad:
            agent = await session.get(Agent, agent_id, with_for_update=True)
            if agent is None:
                agent = Agent(id=agent_id, online=False)
                session.add(agent)
            agent.name = name
            agent.skill_groups = groups
            agent.max_concurrent = max_concurrent
            agent.supervisor = supervisor
            if online is not None:
                agent.online = online
            agent.updated_at = self.clock()
            await session.flush()
            return AgentLoad.of(agent, [])

        await self.db.run(work)
        saved = await self.agent(agent_id)
        assert saved is not None  # just saved
        return saved

    async def set_online(self, agent_id: str, online: bool) -> None:
        """Marks an agent online (taking chats) or offline."""

        async def work(session: AsyncSession) -> None:
            agent = await conversations.lock_agent(session, agent_id)
            agent.online = online
            agent.updated_at = self.clock()

        await self.db.run(work)


async def _notified(
    session: AsyncSession, info: ConversationInfo, kind: str, at: datetime, notify: bool
) -> ConversationInfo:
    """``info``, with a ``kind`` outbox row queued in the same transaction if ``notify``."""
    if not notify:
        return info
    return replace(info, outbox_id=await outbox.enqueue(session, info.id, kind, at))
