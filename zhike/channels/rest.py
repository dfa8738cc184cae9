"""The REST channel for development and tests: ``POST /webhooks/rest/webhook``.

Rasa's own REST channel with the same URL, name (``rest``) and answers, but hardened
against hostile input:

- the body must be a JSON object ``{"sender": "...", "message": "..."}``; ``sender`` is
  optional (Rasa's default ``"default"``). Anything else -- an empty body, an array, a
  string or ``null``, malformed JSON, bytes that are not UTF-8, a NUL character, nesting
  deeper than 32 levels, a message that is not a string or is empty -- is a 400 JSON error
  ``{"error": "<code>", "message": "..."}`` (a body over 64 KiB: 413), never a 500;
- a sender containing ``:`` is refused: those are other channels' conversations
  (``app:C001``, ``wechat:<openid>``, ``wecom:<UserID>``), which a REST caller must not
  write into; the input channel is always ``rest`` (a body's ``input_channel`` is
  ignored) and a ``zhike_identity`` in the body's ``metadata`` is dropped;
- a message longer than :data:`~zhike.channels.limits.MAX_USER_TEXT` characters is cut
  before NLU, and the replies start with the polite
  :data:`~zhike.channels.limits.TRUNCATED_NOTICE`;
- messages are admitted through the process-wide gate (:mod:`zhike.channels.admission`):
  when the server is saturated the answer is 503 with ``Retry-After``;
- ``?stream=true`` (or ``"stream": true`` in the body) streams the replies as they come,
  one JSON object per line, as Rasa does.

Its callers choose their own sender id: it is for development and tests, not for
production (``deploy/credentials.production.yml`` leaves it out).

``credentials.yml``::

    zhike.channels.rest.RestInput:
"""

from __future__ import annotations

import asyncio
import json
import logging
from asyncio import CancelledError, Queue
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.shared.constants import DEFAULT_SENDER_ID
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from zhike.channels import admission
from zhike.channels.http_body import BadBody, json_object, message_text, truncated_notice
from zhike.common.deployment import is_development
from zhike.lib.identity import assertion

logger = logging.getLogger(__name__)

CHANNEL_NAME = "rest"
MAX_SENDER_CHARS = 128
_DONE = object()


class RestInput(RasaRestInput):
    """Rasa's REST channel that validates what it is sent and sheds load explicitly.

    Args:
        gate: the admission gate (default: the process-wide one).
    """

    def __init__(self, gate: admission.Gate | None = None) -> None:
        self._gate = gate

    @classmethod
    def name(cls) -> str:
        """The channel name: URL prefix ``/webhooks/rest`` and ``input_channel``."""
        return CHANNEL_NAME

    @property
    def gate(self) -> admission.Gate:
        """The admission gate messages pass through."""
        return self._gate or admission.gate()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes: ``GET /`` (health) and ``POST /webhook`` under ``/webhooks/rest``."""
        if not is_development():
            logger.warning(
                "the REST channel is open in a production configuration: its callers choose "
                "their own sender id. Start Rasa with deploy/credentials.production.yml "
                "(or set ZHIKE_ENV=development on a developer machine)."
            )
        webhook = Blueprint("zhike_rest_webhook")

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse | None:
            try:
                data = json_object(request.body)
                sender_id = _sender(data)
                text, truncated = message_text(data)
                metadata = _metadata(data)
            except BadBody as refused:
                return refused.response()
            message = (sender_id, text, truncated, metadata)
            stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
            if stream or data.get("stream") is True:
                return await self._stream(request, on_new_message, *message)
            return await self._collect(on_new_message, *message)

        return webhook

    async def _collect(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        truncated: bool,
        metadata: dict[str, Any],
    ) -> HTTPResponse:
        collector = CollectingOutputChannel()
        message = UserMessage(
            text, collector, sender_id, input_channel=CHANNEL_NAME, metadata=metadata
        )
        try:
            async with self.gate.slot():
                await on_new_message(message)
        except admission.Overloaded:
            return admission.overloaded_response()
        except CancelledError:
            logger.error("rest channel: handling a message timed out (sender %s).", sender_id)
        except Exception:
            logger.exception("rest channel: handling a message failed (sender %s).", sender_id)
            return response.json(
                {"error": "internal_error", "message": "the message could not be handled"},
                status=500,
            )
        notice = [truncated_notice(sender_id)] if truncated else []
        return response.json(notice + collector.messages)

    async def _stream(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        truncated: bool,
        metadata: dict[str, Any],
    ) -> HTTPResponse | None:
        """Streams the replies, one JSON line each, while the message is handled."""
        queue: Queue[Any] = Queue()
        message = UserMessage(
            text,
            QueueOutputChannel(queue),
            sender_id,
            input_channel=CHANNEL_NAME,
            metadata=metadata,
        )
        try:
            await self.gate.acquire()
        except admission.Overloaded:
            return admission.overloaded_response()
        # The slot is held until the message is handled, even if the client goes away.
        task = asyncio.ensure_future(_handle_then_close(on_new_message, message, queue))
        task.add_done_callback(lambda _: self.gate.release())
        stream = await request.respond(content_type="text/event-stream")
        if truncated:
            await stream.send(_line(truncated_notice(sender_id)))
        while (reply := await queue.get()) is not _DONE:
            await stream.send(_line(reply))
        await stream.eof()
        return None


async def _handle_then_close(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, queue: Queue
) -> None:
    try:
        await on_new_message(message)
    except Exception:
        logger.exception("rest channel: handling a message failed (sender %s).", message.sender_id)
    finally:
        await queue.put(_DONE)


def _line(message: Mapping[str, Any]) -> str:
    return json.dumps(message) + "\n"


def _sender(data: Mapping[str, Any]) -> str:
    """The conversation id the caller names (``"default"`` when none)."""
    sender = data.get("sender")
    if sender is None:
        return DEFAULT_SENDER_ID
    if not isinstance(sender, str) or not sender.strip():
        raise BadBody(400, "invalid_sender", "sender must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise BadBody(
            400,
            "invalid_sender",
            f"sender must be at most {MAX_SENDER_CHARS} printable characters",
        )
    if ":" in sender:
        raise BadBody(
            400,
            "reserved_sender",
            "sender must not contain ':' (app:, wechat:, wecom: ... are other channels')",
        )
    return sender


def _metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """The body's ``metadata`` object, without an identity assertion (none: empty)."""
    metadata = data.get("metadata")
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise BadBody(400, "invalid_metadata", "metadata must be a JSON object")
    if metadata.pop(assertion.METADATA_KEY, None) is not None:
        logger.warning("rest channel: dropped an identity assertion sent by a client.")
    return metadata
