"""What the desk tells the bot's side: an agent took over, replied, or handed back.

The desk stores a reply with the handoff library first and then hands it to a
:class:`ReplySink`. :class:`RasaSink` (when ``ZHIKE_DESK_RASA_URL`` is set) sends it with
Rasa's ``POST /conversations/<sender_id>/tracker/events?output_channel=latest`` as a
``bot`` event, so the text reaches the customer through their original channel, and sets
the ``handoff_state`` slot on accept (``agent``: the bot stays silent) and close (cleared:
the bot answers again). :class:`LoggingReplySink` only logs.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from zhike.handoff import ConversationInfo, StoredMessage
from zhike.handoff.rasa_api import RasaConversations

logger = logging.getLogger(__name__)


@runtime_checkable
class ReplySink(Protocol):
    """Delivers a stored agent reply to the customer.

    ``deliver`` is called once per newly stored reply, after it is committed; an
    exception is logged and reported to the agent as ``delivered: false`` (the reply
    stays stored).
    """

    async def deliver(self, conversation: ConversationInfo, message: StoredMessage) -> None:
        """Sends ``message`` (direction ``agent``) to the customer of ``conversation``."""
        ...

    async def taken_over(self, conversation: ConversationInfo) -> None:
        """An agent accepted ``conversation``: the bot must stay silent."""
        ...

    async def handed_back(self, conversation: ConversationInfo) -> None:
        """The agent closed ``conversation``: the bot answers again."""
        ...


class LoggingReplySink:
    """A :class:`ReplySink` that only logs which reply would be delivered (no text)."""

    async def deliver(self, conversation: ConversationInfo, message: StoredMessage) -> None:
        """Logs the conversation, channel and message sequence number."""
        logger.info(
            "Agent reply %d of conversation %d for channel %s not delivered (no sink)",
            message.seq,
            conversation.id,
            conversation.channel,
        )

    async def taken_over(self, conversation: ConversationInfo) -> None:
        """Logs the conversation id."""
        logger.info("Conversation %d taken over (no sink)", conversation.id)

    async def handed_back(self, conversation: ConversationInfo) -> None:
        """Logs the conversation id."""
        logger.info("Conversation %d handed back (no sink)", conversation.id)


class RasaSink:
    """A :class:`ReplySink` that talks to the Rasa server's HTTP API.

    Args:
        rasa: the Rasa server's conversations API.
    """

    def __init__(self, rasa: RasaConversations) -> None:
        self.rasa = rasa

    async def deliver(self, conversation: ConversationInfo, message: StoredMessage) -> None:
        """The reply goes out through the customer's latest channel."""
        agent_id = str((message.payload or {}).get("agent_id") or conversation.agent_id or "")
        await self.rasa.send_agent_message(conversation.sender_id, message.text, agent_id)

    async def taken_over(self, conversation: ConversationInfo) -> None:
        """Sets ``handoff_state`` to ``agent``."""
        await self.rasa.set_handoff_state(conversation.sender_id, "agent")

    async def handed_back(self, conversation: ConversationInfo) -> None:
        """Clears ``handoff_state`` and asks the customer to rate the conversation."""
        await self.rasa.set_handoff_state(conversation.sender_id, None)
        await self.rasa.ask_rating(conversation.sender_id)
