"""Queue positions, wait estimates and agent load (session-level helpers)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.handoff.models import AGENT, QUEUED, Agent, Conversation
from zhike.lib.handoff.results import AgentLoad, QueueEntry


def can_take(agent: Agent, skill_group: str) -> bool:
    """Whether the agent may handle conversations of the group."""
    return bool(agent.supervisor) or skill_group in (agent.skill_groups or ())


async def online_agents(session: AsyncSession, skill_group: str) -> list[Agent]:
    """Online agents who may take the group (supervisors included)."""
    rows = (await session.execute(select(Agent).where(Agent.online.is_(True)))).scalars()
    return [agent for agent in rows if can_take(agent, skill_group)]


async def position_of(session: AsyncSession, conversation: Conversation) -> int:
    """1-based place of a queued conversation in its group (by ``queued_at``, then id)."""
    ahead = await session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.state == QUEUED,
            Conversation.skill_group == conversation.skill_group,
            or_(
                Conversation.queued_at < conversation.queued_at,
                and_(
                    Conversation.queued_at == conversation.queued_at,
                    Conversation.id < conversation.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


async def recent_mtta(session: AsyncSession, skill_group: str, sample: int) -> timedelta | None:
    """Mean time-to-assign of the group's latest ``sample`` accepted episodes."""
    rows = await session.execute(
        select(Conversation.handoff_requested_at, Conversation.agent_assigned_at)
        .where(
            Conversation.skill_group == skill_group,
            Conversation.agent_assigned_at.is_not(None),
            Conversation.handoff_requested_at.is_not(None),
        )
        .order_by(Conversation.agent_assigned_at.desc())
        .limit(sample)
    )
    waits = [assigned - requested for requested, assigned in rows]
    if not waits:
        return None
    return sum(waits, timedelta()) / len(waits)


def expected_wait(per_position: timedelta, position: int, agents: int) -> timedelta:
    """``per_position`` times the rounds of acceptance before ``position``, whole minutes.

    With ``agents`` agents taking one each per round, position 1..agents waits one round.
    """
    rounds = math.ceil(position / max(1, agents))
    seconds = per_position.total_seconds() * rounds
    return timedelta(minutes=max(1, math.ceil(seconds / 60)))


async def list_queue(
    session: AsyncSession, skill_group: str | None, now: datetime
) -> list[QueueEntry]:
    """The waiting conversations (of one group, or all), oldest first, with positions."""
    query = select(Conversation).where(Conversation.state == QUEUED)
    if skill_group is not None:
        query = query.where(Conversation.skill_group == skill_group)
    rows = (
        await session.execute(query.order_by(Conversation.queued_at, Conversation.id))
    ).scalars()
    positions: dict[str, int] = defaultdict(int)
    entries = []
    for row in rows:
        positions[row.skill_group] += 1
        entries.append(
            QueueEntry(
                conversation_id=row.id,
                sender_id=row.sender_id,
                channel=row.channel,
                skill_group=row.skill_group,
                position=positions[row.skill_group],
                queued_at=row.queued_at,
                waiting=max(timedelta(), now - row.queued_at),
            )
        )
    return entries


async def active_count(session: AsyncSession, agent_id: str) -> int:
    """How many conversations the agent owns now."""
    count = await session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.agent_id == agent_id, Conversation.state == AGENT
        )
    )
    return int(count or 0)


async def agent_loads(session: AsyncSession, agent_id: str | None = None) -> list[AgentLoad]:
    """Every agent (or just ``agent_id``) with the conversations they own now, by agent id."""
    owned: dict[str, list[int]] = defaultdict(list)
    owned_query = select(Conversation.agent_id, Conversation.id).where(Conversation.state == AGENT)
    agents_query = select(Agent).order_by(Agent.id)
    if agent_id is not None:
        owned_query = owned_query.where(Conversation.agent_id == agent_id)
        agents_query = agents_query.where(Agent.id == agent_id)
    for owner, conversation_id in await session.execute(owned_query):
        owned[owner].append(conversation_id)
    agents = (await session.execute(agents_query)).scalars()
    return [AgentLoad.of(agent, owned.get(agent.id, [])) for agent in agents]
