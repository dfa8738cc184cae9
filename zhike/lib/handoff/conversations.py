"""The episode state machine: request, accept, transfer, close, rate (session-level).

Every function runs inside the caller's transaction and locks the rows it changes
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serializes writers with
``BEGIN IMMEDIATE``). Refusals raise a :class:`~zhike.lib.handoff.errors.HandoffError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.privacy import mask_text
from zhike.lib.handoff import queue
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.handoff.errors import (
    AgentAtCapacity,
    AlreadyAccepted,
    AlreadyRated,
    InvalidInput,
    InvalidState,
    NotAllowed,
    NotFound,
)
from zhike.lib.handoff.models import AGENT, BOT, CLOSED, QUEUED, SKILL_GROUPS, Agent, Conversation
from zhike.lib.handoff.results import ConversationInfo, HandoffOutcome
from zhike.lib.handoff.text import clean_text, stored_data


def check_group(skill_group: str) -> None:
    """Refuses an unknown skill group."""
    if skill_group not in SKILL_GROUPS:
        raise InvalidInput(f"unknown skill group {skill_group!r}", "invalid_skill_group")


def _check_id(name: str, value: str, limit: int) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(f"{name} must be 1-{limit} characters", f"invalid_{name}")
    if clean_text(value) != value:  # NUL or a lone surrogate: no database stores it
        raise InvalidInput(f"{name} holds characters that cannot be stored", f"invalid_{name}")


async def lock_conversation(session: AsyncSession, conversation_id: int) -> Conversation:
    """The conversation row, locked for update."""
    row = (
        await session.execute(
            select(Conversation)
            .where(Conversation.id == conversation_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found", "conversation_not_found")
    return row


async def lock_agent(session: AsyncSession, agent_id: str) -> Agent:
    """The agent row, locked for update."""
    row = (
        await session.execute(
            select(Agent)
            .where(Agent.id == agent_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"agent {agent_id!r} not found", "agent_not_found")
    return row


async def find_open(session: AsyncSession, sender_id: str, channel: str) -> Conversation | None:
    """The open (not closed) episode of a sender on a channel, locked, if any."""
    return (
        await session.execute(
            select(Conversation)
            .where(
                Conversation.sender_id == sender_id,
                Conversation.channel == channel,
                Conversation.state != CLOSED,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def _queued_outcome(
    session: AsyncSession, settings: HandoffSettings, row: Conversation
) -> HandoffOutcome:
    position = await queue.position_of(session, row)
    agents = await queue.online_agents(session, row.skill_group)
    mtta = await queue.recent_mtta(session, row.skill_group, settings.mtta_sample)
    wait = queue.expected_wait(mtta or settings.default_wait, position, len(agents))
    return HandoffOutcome("queued", row.id, row.skill_group, position, wait)


async def waiting_outcome(
    session: AsyncSession, settings: HandoffSettings, sender_id: str, channel: str
) -> HandoffOutcome | None:
    """The sender's current place in line and expected wait while queued, else None."""
    row = await find_open(session, sender_id, channel)
    if row is None or row.state != QUEUED:
        return None
    return await _queued_outcome(session, settings, row)


async def request_handoff(
    session: AsyncSession,
    settings: HandoffSettings,
    sender_id: str,
    channel: str,
    customer_id: str | None,
    skill_group: str,
    summary: dict[str, Any] | None,
    now: datetime,
) -> HandoffOutcome:
    """Queues the sender's episode for an agent, or closes it as a ticket case.

    A repeated request while queued answers the current position; while an agent has
    the conversation it answers ``with_agent``. Outside business hours the outcome is
    ``after_hours`` with the next opening; with no agent of the group online it is
    ``no_agent``, replied to within ``settings.ticket_reply_within`` of business time.
    The summary is stored masked (:func:`zhike.lib.handoff.text.stored_data`).
    """
    _check_id("sender_id", sender_id, 255)
    _check_id("channel", channel, 64)
    check_group(skill_group)
    if summary is not None and not isinstance(summary, dict):
        raise InvalidInput("summary must be a JSON object", "invalid_summary")
    row = await find_open(session, sender_id, channel)
    if row is not None and row.state == AGENT:
        return HandoffOutcome("with_agent", row.id, row.skill_group)
    if row is not None and row.state == QUEUED:
        return await _queued_outcome(session, settings, row)
    if row is None:
        row = Conversation(sender_id=sender_id, channel=channel, state=BOT, last_seq=0)
        session.add(row)
    row.customer_id = customer_id
    row.skill_group = skill_group
    row.summary = stored_data(dict(summary or {}), settings.max_text)
    row.handoff_requested_at = now
    row.updated_at = now
    hours = settings.hours
    if not hours.is_open(now):
        _close(row, "after_hours", now)
        await session.flush()
        return HandoffOutcome("after_hours", row.id, skill_group, reply_by=hours.next_opening(now))
    if not await queue.online_agents(session, skill_group):
        _close(row, "no_agent", now)
        await session.flush()
        reply_by = settings.ticket_reply_by(now)
        return HandoffOutcome("no_agent", row.id, skill_group, reply_by=reply_by)
    row.state = QUEUED
    row.queued_at = now
    await session.flush()
    return await _queued_outcome(session, settings, row)


def _close(row: Conversation, disposition: str, now: datetime) -> None:
    row.state = CLOSED
    row.closed_at = now
    row.disposition = disposition
    row.updated_at = now


async def accept(
    session: AsyncSession, agent_id: str, conversation_id: int, now: datetime
) -> ConversationInfo:
    """Assigns a queued conversation to an online agent of its group (or a supervisor).

    The agent row is locked first (so their concurrent acceptances count correctly),
    then the conversation: of two agents accepting at once exactly one wins and the other
    gets :class:`AlreadyAccepted`. Accepting again by the owner answers the same.
    """
    agent = await lock_agent(session, agent_id)
    row = await lock_conversation(session, conversation_id)
    if row.state == AGENT:
        if row.agent_id == agent_id:
            return ConversationInfo.of(row)
        raise AlreadyAccepted(f"conversation {row.id} was accepted by another agent")
    if row.state != QUEUED:
        raise InvalidState(f"conversation {row.id} is {row.state}, not queued", "not_queued")
    if not agent.online:
        raise NotAllowed(f"agent {agent_id!r} is offline", "agent_offline")
    if not queue.can_take(agent, row.skill_group):
        raise NotAllowed(
            f"agent {agent_id!r} is not in skill group {row.skill_group!r}", "wrong_skill_group"
        )
    return await assign(session, row, agent, now)


async def assign(
    session: AsyncSession, row: Conversation, agent: Agent, now: datetime
) -> ConversationInfo:
    """Gives a locked conversation to a locked agent who has room for one more chat.

    Raises:
        AgentAtCapacity: The agent has ``max_concurrent`` chats already.
    """
    if await queue.active_count(session, agent.id) >= agent.max_concurrent:
        raise AgentAtCapacity(f"agent {agent.id!r} has {agent.max_concurrent} chats already")
    row.state = AGENT
    row.agent_id = agent.id
    if row.agent_assigned_at is None:
        row.agent_assigned_at = now
    row.updated_at = now
    await session.flush()
    return ConversationInfo.of(row)


async def _check_actor(
    session: AsyncSession, row: Conversation, agent_id: str | None, action: str
) -> None:
    """While an agent owns the conversation only they or a supervisor may ``action`` it."""
    if row.state != AGENT:
        if agent_id is not None:
            await lock_agent(session, agent_id)  # must exist
        return
    if agent_id is None:
        raise NotAllowed(f"only an agent may {action} conversation {row.id}", "agent_required")
    agent = await lock_agent(session, agent_id)
    if agent.id != row.agent_id and not agent.supervisor:
        raise NotAllowed(f"agent {agent_id!r} does not own conversation {row.id}", "not_owner")


async def transfer(
    session: AsyncSession,
    conversation_id: int,
    skill_group: str,
    agent_id: str | None,
    now: datetime,
) -> ConversationInfo:
    """Moves a queued or agent-owned conversation to another group's queue.

    A queued conversation keeps its place in time; one owned by an agent is released
    and queued anew at ``now`` (its first ``agent_assigned_at`` stays for MTTA).
    """
    check_group(skill_group)
    row = await lock_conversation(session, conversation_id)
    if row.state not in (QUEUED, AGENT):
        raise InvalidState(f"conversation {row.id} is {row.state}", "not_transferable")
    await _check_actor(session, row, agent_id, "transfer")
    row.skill_group = skill_group
    if row.state == AGENT:
        row.state = QUEUED
        row.agent_id = None
        row.queued_at = now
    row.updated_at = now
    await session.flush()
    return ConversationInfo.of(row)


async def close(
    session: AsyncSession,
    conversation_id: int,
    agent_id: str | None,
    disposition: str,
    now: datetime,
) -> ConversationInfo:
    """Closes an open episode and hands the sender back to the bot.

    An agent-owned conversation is closed by its agent or a supervisor; a queued one
    also without an agent (the user left the queue).
    """
    _check_id("disposition", disposition, 64)
    row = await lock_conversation(session, conversation_id)
    if row.state == CLOSED:
        raise InvalidState(f"conversation {row.id} is closed already", "already_closed")
    await _check_actor(session, row, agent_id, "close")
    _close(row, disposition.strip(), now)
    await session.flush()
    return ConversationInfo.of(row)


async def rate(
    session: AsyncSession,
    settings: HandoffSettings,
    conversation_id: int,
    score: int,
    comment: str | None,
    now: datetime,
    bot_only: bool = False,
) -> ConversationInfo:
    """Records the customer's 1-5 rating (CSAT) of a closed, agent-served episode, once.

    ``bot_only``: the episode is a closed bot-only one (see :func:`rate_latest`).
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(f"rating must be an integer 1-5, got {score!r}", "invalid_rating")
    text = mask_text(clean_text(comment or "").strip()) or None
    if text is not None and len(text) > settings.max_comment:
        raise InvalidInput(
            f"comment longer than {settings.max_comment} characters", "comment_too_long"
        )
    row = await lock_conversation(session, conversation_id)
    if row.state != CLOSED or (row.agent_assigned_at is None and not bot_only):
        raise InvalidState(
            f"conversation {row.id} is not a closed agent conversation", "not_rateable"
        )
    if row.rating is not None:
        raise AlreadyRated(f"conversation {row.id} is rated already")
    row.rating = score
    row.comment = text
    row.rated_at = now
    row.updated_at = now
    await session.flush()
    return ConversationInfo.of(row)


async def rate_latest(
    session: AsyncSession,
    settings: HandoffSettings,
    sender_id: str,
    channel: str,
    customer_id: str | None,
    score: int,
    comment: str | None,
    now: datetime,
) -> ConversationInfo:
    """Records a rating for what the customer just experienced.

    The sender's latest closed, agent-served episode when it is unrated and closed within
    ``settings.rating_window``; otherwise the conversation was the bot's alone, and a
    closed bot-only episode (no agent, disposition ``bot``) carries the rating, so the
    analytics compare the bot's and the agents' CSAT from one table.
    """
    _check_id("sender_id", sender_id, 255)
    _check_id("channel", channel, 64)
    latest = (
        await session.execute(
            select(Conversation)
            .where(
                Conversation.sender_id == sender_id,
                Conversation.channel == channel,
                Conversation.state == CLOSED,
                Conversation.agent_assigned_at.is_not(None),
            )
            .order_by(Conversation.closed_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if (
        latest is not None
        and latest.rating is None
        and latest.closed_at is not None
        and now - latest.closed_at <= settings.rating_window
    ):
        return await rate(session, settings, latest.id, score, comment, now)
    row = Conversation(
        sender_id=sender_id,
        channel=channel,
        customer_id=customer_id,
        state=CLOSED,
        skill_group="general",
        summary={},
        closed_at=now,
        disposition="bot",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return await rate(session, settings, row.id, score, comment, now, bot_only=True)
