"""The web widget's catch-up: bot messages carry a stable key, and missed ones are re-read.

Rasa's socket.io output channel emits a bot message to the session's room and forgets
it: a widget that is disconnected at that moment (a phone's network drop, a closed laptop
lid) never sees it, although the tracker store has it. Two pieces close that gap:

- :class:`WebChatOutput` emits exactly what Rasa's channel emits, plus ``zhike_key``
  (``"<bot event timestamp>#<part>"``, stable) and ``zhike_ts`` (the bot event's
  timestamp) in each message, so the widget can tell what it has already shown (and
  when it was sent); an agent's reply also carries ``zhike_sender`` (the agent's name)
  and a handoff notice ``zhike_notice`` (its kind), from the bot event's metadata;
- :func:`missed_messages` renders the bot events of a conversation from its tracker the
  same way, for the widget's ``zhike_sync`` request after a (re)connect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from socketio import AsyncServer

KEY_FIELD = "zhike_key"
TIMESTAMP_FIELD = "zhike_ts"
LABEL_FIELDS = ("zhike_sender", "zhike_notice")  # from the desk (see delivery/rasa_api.py)
MAX_LABEL = 64
MAX_SYNCED_EVENTS = 50


class _PartsRecorder(SocketIOOutput):
    """Rasa's socket.io output channel that records the emitted messages instead."""

    def __init__(self) -> None:
        super().__init__(None, "")  # never emits
        self.parts: list[dict[str, Any]] = []

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.parts.append(dict(response))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Rasa emits ``sio.emit(event, **custom)``: what the client gets is ``data``.
        data = json_message.get("data")
        if isinstance(data, dict):
            self.parts.append(dict(data))


async def render_parts(recipient_id: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The socket.io messages Rasa's channel emits for one bot message, each with its key.

    Args:
        recipient_id: the conversation (only passed through).
        message: a bot message as ``BotUttered.message()`` gives it (with ``timestamp``).

    Returns:
        The messages in emitting order; with a timestamp, each has ``zhike_key`` and
        ``zhike_ts``.
    """
    message = dict(message)
    timestamp = message.get("timestamp")
    recorder = _PartsRecorder()
    await recorder.send_response(recipient_id, message)
    labels = {
        field: message[field][:MAX_LABEL]
        for field in LABEL_FIELDS
        if isinstance(message.get(field), str) and message[field]
    }
    for index, part in enumerate(recorder.parts):
        part.update(labels)
        if isinstance(timestamp, (int, float)):
            part[KEY_FIELD] = f"{timestamp!r}#{index}"
            part[TIMESTAMP_FIELD] = timestamp
    return recorder.parts


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output channel whose messages carry ``zhike_key``/``zhike_ts``."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, namespace: str | None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Emits the message's parts to the conversation's room, in order."""
        for part in await render_parts(recipient_id, message):
            await self.sio.emit(
                self.bot_message_evt, part, room=recipient_id, namespace=self.namespace
            )


def bot_events_after(
    tracker: DialogueStateTracker, after: float | None, limit: int = MAX_SYNCED_EVENTS
) -> list[BotUttered]:
    """The last ``limit`` bot events with a timestamp at or after ``after`` (all: ``None``).

    "At" as well: a part of the newest event the widget has seen may still be missing;
    the widget drops what it already has by key.
    """
    events = [
        event
        for event in tracker.events
        if isinstance(event, BotUttered) and (after is None or event.timestamp >= after)
    ]
    return events[-limit:] if limit > 0 else []


async def missed_messages(
    tracker: DialogueStateTracker | None, after: float | None, limit: int = MAX_SYNCED_EVENTS
) -> list[dict[str, Any]]:
    """The widget messages of the conversation's bot events since ``after``, oldest first.

    Args:
        tracker: the conversation (``None``: there is none yet).
        after: the newest bot event timestamp the widget has seen (``None``: none).
        limit: at most this many bot events (the newest).

    Returns:
        The messages as :class:`WebChatOutput` emits them (keys included).
    """
    if tracker is None:
        return []
    return await _render_all(tracker.sender_id, bot_events_after(tracker, after, limit))


async def _render_all(recipient_id: str, events: Iterable[BotUttered]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for event in events:
        messages.extend(await render_parts(recipient_id, event.message()))
    return messages


def parse_after(data: Any) -> float | None:
    """The ``after`` timestamp of a ``zhike_sync`` request (``None`` when absent or junk)."""
    after = data.get("after") if isinstance(data, dict) else None
    if isinstance(after, bool) or not isinstance(after, (int, float)):
        return None
    return float(after) if after == after and abs(after) != float("inf") else None
