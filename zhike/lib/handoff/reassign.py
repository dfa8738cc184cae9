"""A supervisor hands a live conversation to another agent (转派).

Unlike :func:`zhike.lib.handoff.conversations.accept` the target does not pick it from
their queue: a supervisor assigns it, from the queue or away from the agent who has it,
to any online agent with room for one more chat (skill groups do not limit a supervisor's
decision). Locks the target agent first, then the conversation, like ``accept``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.handoff.conversations import assign, lock_agent, lock_conversation
from zhike.lib.handoff.errors import InvalidState
from zhike.lib.handoff.models import AGENT, QUEUED
from zhike.lib.handoff.results import ConversationInfo


class AgentOffline(InvalidState):
    """The target agent is not online (``agent_offline``): nobody would answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "agent_offline")


async def reassign(
    session: AsyncSession, conversation_id: int, agent_id: str, now: datetime
) -> tuple[ConversationInfo, bool]:
    """Gives a queued or agent-owned conversation to ``agent_id``.

    Returns the conversation and whether it changed hands (False: the agent had it
    already, nothing was done).

    Raises:
        NotFound: No such conversation or agent.
        InvalidState: The conversation is not live (``not_reassignable``).
        AgentOffline: The agent is offline.
        AgentAtCapacity: The agent has ``max_concurrent`` chats already.
    """
    agent = await lock_agent(session, agent_id)
    row = await lock_conversation(session, conversation_id)
    if row.state not in (QUEUED, AGENT):
        raise InvalidState(f"conversation {row.id} is {row.state}", "not_reassignable")
    if row.state == AGENT and row.agent_id == agent_id:
        return ConversationInfo.of(row), False
    if not agent.online:
        raise AgentOffline(f"agent {agent_id!r} is offline")
    return await assign(session, row, agent, now), True
