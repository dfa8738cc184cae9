"""Where an agent's stored reply goes next: the customer's channel (later, via Rasa).

The desk stores a reply with the handoff library first and then hands it to a
:class:`ReplySink`. The default :class:`LoggingReplySink` only logs; the Rasa sink will
``POST /conversations/<sender_id>/tracker/events?output_channel=latest`` with a ``bot``
event so the text reaches the user through their original channel.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from zhike.handoff import ConversationInfo, StoredMessage

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
