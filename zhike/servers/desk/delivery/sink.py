"""What the desk tells the bot's side: an agent took over, replied, or handed back.

The desk stores each change with the handoff library, which writes an outbox row in the same
transaction; :class:`~zhike.servers.desk.delivery.dispatcher.OutboxDispatcher` then hands
the row to a :class:`ReplySink`, retrying failures. :class:`RasaSink` (when
``ZHIKE_DESK_RASA_URL`` is set) sends a reply with Rasa's
``POST /conversations/<sender_id>/tracker/events?output_channel=latest`` as a ``bot``
event, so the text reaches the customer through
their original channel, and sets the ``handoff_state`` slot on accept (``agent``: the
bot stays silent) and close (cleared: the bot answers again, after asking for a rating).
:class:`LoggingReplySink` only logs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from zhike.common.handoff_names import RATING_ACTION, WITH_AGENT
from zhike.lib.handoff import ConversationInfo, StoredMessage
from zhike.servers.desk.delivery.rasa_api import OUTBOX_KEY, RasaConversations

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One attempt at an outbox notification.

    Attributes:
        key: The outbox row's idempotency key, the same on every attempt.
        attempt: 1 for the first attempt; more for a retry, which may follow an attempt
            that arrived although it seemed to fail (check before sending again).
    """

    key: str
    attempt: int = 1

    @property
    def retry(self) -> bool:
        """Whether an earlier attempt may have arrived."""
        return self.attempt > 1


@runtime_checkable
class ReplySink(Protocol):
    """Delivers stored agent replies and the take-over / hand-back to the bot's side.

    Called by the outbox dispatcher, once per attempt, in order per conversation. An
    exception makes the attempt fail: it is retried later with the same
    ``delivery.key`` and a higher ``delivery.attempt``. A retry must not show the
    customer anything twice.
    """

    async def deliver(
        self, conversation: ConversationInfo, message: StoredMessage, delivery: Delivery
    ) -> None:
        """Sends ``message`` (direction ``agent``) to the customer of ``conversation``."""
        ...

    async def taken_over(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """An agent accepted ``conversation``: the bot must stay silent."""
        ...

    async def handed_back(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """The agent closed ``conversation``: the bot answers again."""
        ...


class LoggingReplySink:
    """A :class:`ReplySink` that only logs which reply would be delivered (no text)."""

    async def deliver(
        self, conversation: ConversationInfo, message: StoredMessage, delivery: Delivery
    ) -> None:
        """Logs the conversation, channel and message sequence number."""
        logger.info(
            "Agent reply %d of conversation %d for channel %s not delivered (no sink)",
            message.seq,
            conversation.id,
            conversation.channel,
        )

    async def taken_over(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """Logs the conversation id."""
        logger.info("Conversation %d taken over (no sink)", conversation.id)

    async def handed_back(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """Logs the conversation id."""
        logger.info("Conversation %d handed back (no sink)", conversation.id)


class RasaSink:
    """A :class:`ReplySink` that talks to the Rasa server's HTTP API, idempotently.

    Every event it appends carries ``metadata.zhike_outbox_key``. A retry first reads
    the tracker: a reply whose key is there has arrived; a hand-back whose marked slot
    event is followed by ``action_ask_rating`` has asked for the rating already.

    Args:
        rasa: the Rasa server's conversations API.
    """

    def __init__(self, rasa: RasaConversations) -> None:
        self.rasa = rasa

    async def deliver(
        self, conversation: ConversationInfo, message: StoredMessage, delivery: Delivery
    ) -> None:
        """The reply (or a handoff notice) goes out through the customer's latest channel, once.

        An agent's reply carries the agent's name; a notice (a ``system`` message the
        handoff library wrote) its kind.
        """
        sender = conversation.sender_id
        if delivery.retry and _marked(await self._events(sender), delivery.key):
            logger.info("Reply %d of %d had arrived already", message.seq, conversation.id)
            return
        payload = message.payload or {}
        agent_id = str(payload.get("agent_id") or conversation.agent_id or "")
        name = payload.get("agent_name") if message.direction == "agent" else None
        notice = payload.get("notice") if message.direction == "system" else None
        await self.rasa.send_agent_message(
            sender,
            message.text,
            agent_id,
            key=delivery.key,
            sender_name=name if isinstance(name, str) else None,
            notice=notice if isinstance(notice, str) else None,
        )

    async def taken_over(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """Sets ``handoff_state`` to ``agent`` (setting it twice is harmless)."""
        await self.rasa.set_handoff_state(conversation.sender_id, WITH_AGENT, key=delivery.key)

    async def handed_back(self, conversation: ConversationInfo, delivery: Delivery) -> None:
        """Clears ``handoff_state`` and asks the customer to rate the conversation, once.

        Three steps, each marked or checked: the slot event (marked), the rating action
        (found after the marked slot event) and the closing ``action_listen`` (marked).
        """
        sender, key = conversation.sender_id, delivery.key
        events = await self._events(sender) if delivery.retry else []
        marked = [index for index, event in enumerate(events) if _marked([event], key)]
        if any(events[index].get("event") == "action" for index in marked):
            return  # the last step is there: all done
        slot = next((i for i in marked if events[i].get("event") == "slot"), None)
        if slot is None:
            await self.rasa.set_handoff_state(sender, None, key=key)
        if slot is None or not any(
            event.get("event") == "action" and event.get("name") == RATING_ACTION
            for event in events[slot + 1 :]
        ):
            await self.rasa.execute_rating(sender)
        await self.rasa.listen(sender, key)

    async def _events(self, sender_id: str) -> list[dict[str, Any]]:
        events = (await self.rasa.tracker(sender_id)).get("events") or []
        return [event for event in events if isinstance(event, dict)]


def _marked(events: list[dict[str, Any]], key: str) -> bool:
    """Whether any of ``events`` carries the outbox ``key`` in its metadata."""
    return any(
        isinstance(event.get("metadata"), dict) and event["metadata"].get(OUTBOX_KEY) == key
        for event in events
    )
