"""Messages of an episode: idempotent, ordered append and routing of user messages.

Everything but an agent's reply (which goes to the customer as written) is stored as
:func:`zhike.lib.handoff.text.stored_text` makes it: masked, cleaned and cut to
``settings.max_text`` characters, so any customer message can be stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.handoff.config import MAX_KEY, HandoffSettings
from zhike.lib.handoff.conversations import close, find_open, lock_conversation
from zhike.lib.handoff.errors import IdempotencyConflict, InvalidInput, InvalidState, NotAllowed
from zhike.lib.handoff.models import (
    AGENT,
    BOT,
    CLOSED,
    DIRECTIONS,
    QUEUED,
    USER_LEFT,
    Conversation,
    Message,
)
from zhike.lib.handoff.results import Handler, RouteDecision, StoredMessage
from zhike.lib.handoff.text import stored_data, stored_text

# In which states each direction may write. System notes may be added at any time.
ALLOWED_STATES: dict[str, tuple[str, ...]] = {
    "user": (BOT, QUEUED, AGENT),
    "bot": (BOT, QUEUED),
    "agent": (AGENT,),
    "system": (BOT, QUEUED, AGENT, CLOSED),
}


def prepared(
    settings: HandoffSettings, direction: str, text: str, payload: dict[str, Any] | None
) -> tuple[str, dict[str, Any] | None]:
    """The text and payload as stored: as given for ``agent``, else :func:`stored_text`."""
    if direction == "agent" or not isinstance(text, str):
        return text, payload
    if isinstance(payload, dict):
        payload = stored_data(payload, settings.max_text)
    return stored_text(text, settings.max_text), payload


def validate_message(
    settings: HandoffSettings,
    direction: str,
    text: str,
    idempotency_key: str,
    payload: dict[str, Any] | None,
) -> None:
    """Refuses a malformed message before touching the database."""
    if direction not in DIRECTIONS:
        raise InvalidInput(f"unknown direction {direction!r}", "invalid_direction")
    if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= MAX_KEY:
        raise InvalidInput(
            f"idempotency key must be 1-{MAX_KEY} characters", "invalid_idempotency_key"
        )
    if not isinstance(text, str):
        raise InvalidInput("text must be a string", "invalid_text")
    if len(text) > settings.max_text:
        raise InvalidInput(f"text longer than {settings.max_text} characters", "text_too_long")
    if payload is not None and not isinstance(payload, dict):
        raise InvalidInput("payload must be a JSON object", "invalid_payload")
    if not text.strip() and not payload:
        raise InvalidInput("a message needs text or a payload", "empty_message")


async def _existing(session: AsyncSession, idempotency_key: str) -> Message | None:
    return (
        await session.execute(select(Message).where(Message.idempotency_key == idempotency_key))
    ).scalar_one_or_none()


def _same(
    message: Message, conversation_id: int, direction: str, text: str, raw: str | None = None
) -> bool:
    """Whether a stored message is this one (``raw``: the text before :func:`prepared`)."""
    return (
        message.conversation_id == conversation_id
        and message.direction == direction
        and message.text in (text, raw)
    )


async def append_to(
    session: AsyncSession,
    row: Conversation,
    direction: str,
    text: str,
    idempotency_key: str,
    payload: dict[str, Any] | None,
    now: datetime,
    agent_id: str | None = None,
    raw: str | None = None,
) -> StoredMessage:
    """Appends to a locked conversation, or finds the message stored under the key.

    ``agent_id``: only while this agent has the conversation (a retry of a stored
    message is answered regardless, so it stays idempotent after a close). ``raw``: the
    text as given, before :func:`prepared` (rows stored before masking match it).

    Raises:
        IdempotencyConflict: The key belongs to a different message.
        InvalidState: The conversation's state does not take messages of ``direction``
            (``not_with_agent`` when ``agent_id`` is given and no agent has it).
        NotAllowed: Another agent has the conversation (``not_owner``).
    """
    existing = await _existing(session, idempotency_key)
    if existing is not None:
        if not _same(existing, row.id, direction, text, raw):
            raise IdempotencyConflict("the idempotency key was used for another message")
        return StoredMessage.of(existing, created=False)
    if agent_id is not None:
        check_owner(row, agent_id)
    if row.state not in ALLOWED_STATES[direction]:
        raise InvalidState(
            f"conversation {row.id} is {row.state}: no {direction} messages",
            "message_not_allowed",
        )
    row.last_seq = (row.last_seq or 0) + 1
    message = Message(
        conversation_id=row.id,
        seq=row.last_seq,
        direction=direction,
        text=text,
        payload=payload,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    session.add(message)
    if direction == "agent" and row.first_agent_reply_at is None:
        row.first_agent_reply_at = now
    row.updated_at = now
    await session.flush()
    return StoredMessage.of(message, created=True)


async def append_message(
    session: AsyncSession,
    settings: HandoffSettings,
    conversation_id: int,
    direction: str,
    text: str,
    idempotency_key: str,
    payload: dict[str, Any] | None,
    now: datetime,
    agent_id: str | None = None,
) -> StoredMessage:
    """Stores a message once, numbered after the conversation's previous ones.

    ``agent_id`` (direction ``agent`` only): the replying agent, who must have the
    conversation; checked under its row lock, in this transaction.
    """
    raw = text
    text, payload = prepared(settings, direction, text, payload)
    validate_message(settings, direction, text, idempotency_key, payload)
    if agent_id is not None and direction != "agent":
        raise InvalidInput("agent_id goes with direction 'agent'", "invalid_direction")
    row = await lock_conversation(session, conversation_id)
    return await append_to(
        session, row, direction, text, idempotency_key, payload, now, agent_id=agent_id, raw=raw
    )


def check_owner(row: Conversation, agent_id: str) -> None:
    """Refuses unless ``agent_id`` has the (locked) conversation now."""
    if row.state != AGENT:
        raise InvalidState(
            f"conversation {row.id} is {row.state}, not with an agent", "not_with_agent"
        )
    if row.agent_id != agent_id:
        raise NotAllowed(f"agent {agent_id!r} does not own conversation {row.id}", "not_owner")


def _handler_of(state: str) -> Handler:
    return "queue" if state == QUEUED else "bot" if state == BOT else "agent"


async def route_user_message(
    session: AsyncSession,
    settings: HandoffSettings,
    sender_id: str,
    channel: str,
    text: str,
    idempotency_key: str,
    payload: dict[str, Any] | None,
    now: datetime,
    leave_queue: bool = False,
) -> RouteDecision:
    """Decides who handles a user message and stores it unless the bot does.

    A retry of a message stored before (same key) answers where it went, even if the
    episode has been closed since, so it never reaches the bot twice. The text is stored
    masked and cut to ``settings.max_text`` characters (:func:`prepared`): a long
    message is kept with a truncation mark rather than refused. With ``leave_queue`` (the
    customer asked to stop waiting) a queued episode stores the message and is closed as
    ``user_left`` in the same transaction: ``left``.
    """
    raw = text
    text, payload = prepared(settings, "user", text, payload)
    validate_message(settings, "user", text, idempotency_key, payload)
    row = await find_open(session, sender_id, channel)
    if row is None or row.state == BOT:
        existing = await _existing(session, idempotency_key)
        if existing is None:
            return RouteDecision("bot", row.id if row is not None else None)
        stored = await lock_conversation(session, existing.conversation_id)
        if not _same(existing, stored.id, "user", text, raw):
            raise IdempotencyConflict("the idempotency key was used for another message")
        handler = _handler_of(stored.state) if stored.state != CLOSED else _closed_as(stored)
        return RouteDecision(handler, stored.id, StoredMessage.of(existing, created=False))
    message = await append_to(session, row, "user", text, idempotency_key, payload, now, raw=raw)
    if leave_queue and row.state == QUEUED:
        await close(session, row.id, None, USER_LEFT, now)
        return RouteDecision("left", row.id, message)
    return RouteDecision(_handler_of(row.state), row.id, message)


def _closed_as(row: Conversation) -> Handler:
    """Where a retried message went whose episode is closed now."""
    return "left" if row.disposition == USER_LEFT and row.agent_id is None else "agent"
