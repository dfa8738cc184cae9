"""Sending to WeChat users outside a callback: the message-API output channel.

Used for answers that missed the passive-reply budget and by Rasa for messages that come
later (``/conversations/<id>/trigger_intent?output_channel=wechat``, a human agent's
reply). WeChat shows no buttons, so they become numbered lines (``回复 1：…``); the NLU
reads a reply of the number from the conversation (:mod:`zhike.nlu.typed_choice`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from rasa.core.channels.channel import OutputChannel

from zhike.channels.wechat.api import WeChatApiError
from zhike.channels.wechat.turns import Rendered, mask_user, render, split_text

logger = logging.getLogger(__name__)


class MessageApi(Protocol):
    """What delivery needs of :class:`~.api.MpApiClient` / :class:`~.api.WeComApiClient`."""

    async def send(self, user: str, message: Mapping[str, Any]) -> None: ...  # noqa: D102

    async def send_text(self, user: str, text: str) -> None: ...  # noqa: D102


class ApiOutputChannel(OutputChannel):
    """Sends the bot's messages to a user through the message API, outside any callback.

    Used for answers that missed the passive-reply budget and by Rasa for messages that
    come later (``/conversations/<id>/trigger_intent?output_channel=<channel>``, a human
    agent's reply). The recipient is the Rasa sender id ``<channel>:<user>``. A busy or
    unreachable WeChat is tried again a few times; other failures (45015 outside the
    48-hour window, 45047 quota …) are logged, never raised.

    Args:
        api: the API client.
    """

    channel_name: ClassVar[str] = ""
    # Seconds before each repeat of a message WeChat could not take (busy, unreachable).
    retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0)

    def __init__(self, api: MessageApi) -> None:
        self._api = api

    @classmethod
    def name(cls) -> str:
        """The channel name (``wechat`` / ``wecom``)."""
        return cls.channel_name

    def user_of(self, recipient_id: str) -> str | None:
        """The openid / UserID of a sender id ``<channel>:<user>``, else ``None``."""
        prefix = f"{self.channel_name}:"
        if recipient_id.startswith(prefix) and len(recipient_id) > len(prefix):
            return recipient_id[len(prefix) :]
        return None

    async def deliver(self, recipient_id: str, rendered: Rendered) -> bool:
        """Sends a rendered turn (text split to WeChat's size, then raw messages)."""
        user = self.user_of(recipient_id)
        if user is None:
            logger.error("%s: cannot send to a sender id of another channel.", self.channel_name)
            return False
        messages: list[Mapping[str, Any]] = []
        if rendered.text:
            messages += [
                {"msgtype": "text", "text": {"content": c}} for c in split_text(rendered.text)
            ]
        messages += rendered.raw
        for message in messages:
            try:
                await self._send_with_retries(user, message)
            except WeChatApiError as exc:
                log = logger.warning if exc.errcode is not None else logger.error
                log("%s: message to %s not delivered: %s", self.channel_name, mask_user(user), exc)
                return False  # the rest would fail the same way
        if messages:
            logger.info(
                "%s: sent %d message(s) to %s.", self.channel_name, len(messages), mask_user(user)
            )
        return True

    async def _send_with_retries(self, user: str, message: Mapping[str, Any]) -> None:
        """Sends one message, repeating it while WeChat is briefly unavailable.

        Only failures where nothing was sent are repeated (``retryable``: busy, no
        connection, a 5xx), after each of :attr:`retry_delays` seconds; an agent's reply
        should survive a short outage, and a turn never waits more than their sum.
        """
        for delay in (*self.retry_delays, None):
            try:
                await self._api.send(user, message)
                return
            except WeChatApiError as exc:
                if not exc.retryable or delay is None:
                    raise
                logger.info(
                    "%s: WeChat unavailable (%s), sending again in %.1f s.",
                    self.channel_name,
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)

    async def _send(self, recipient_id: str, message: Mapping[str, Any]) -> None:
        rendered = render([message])
        if not rendered.text and not rendered.raw:
            logger.warning(
                "%s: a message with nothing WeChat can show was dropped.", self.channel_name
            )
            return
        await self.deliver(recipient_id, rendered)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends a text."""
        await self._send(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends a text with buttons as numbered lines; a reply of a number chooses one."""
        await self._send(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends the image's URL as a text (images need WeChat media ids)."""
        await self._send(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Sends the attachment's description as a text."""
        await self._send(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends a native message (``{"msgtype": "news", …}``) or the custom ``text``."""
        await self._send(recipient_id, {"custom": json_message})
