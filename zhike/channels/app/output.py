"""The app channel's push side: its output channel and its settings.

Messages Rasa sends outside a request (``output_channel=app``) are pushed to the app
backend through :class:`~zhike.channels.app.push.PushDelivery`, journaled in
``ZHIKE_APP_PUSH_DB_URL`` (default SQLite ``.zhike/app_push.db`` under the working
directory; ``memory``: no journal, a restart loses what was not delivered yet).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import OutputChannel

from zhike.channels.app.push import Delivery, PushConfig, PushDelivery
from zhike.channels.app.push_store import PushStoreSettings, default_push_db_url
from zhike.channels.settings import setting
from zhike.lib.identity.tokens import MIN_SECRET_BYTES, check_secret

logger = logging.getLogger(__name__)

CHANNEL_NAME = "app"
DEFAULT_PUSH_ENV = {
    "push_url": "ZHIKE_APP_PUSH_URL",
    "push_secret": "ZHIKE_APP_PUSH_SECRET",
    "push_db_url": "ZHIKE_APP_PUSH_DB_URL",
}
NO_PUSH_JOURNAL = "memory"


class AppPushOutputChannel(OutputChannel):
    """Pushes each bot message, signed, to the app backend's callback (see module doc).

    Args:
        delivery: the push queue shared by every conversation of the channel.
    """

    def __init__(self, delivery: PushDelivery) -> None:
        self.delivery = delivery

    @classmethod
    def name(cls) -> str:
        """The channel name stored with the bot's events."""
        return CHANNEL_NAME

    async def _push(self, recipient_id: str, message: dict[str, Any]) -> None:
        prefix = f"{CHANNEL_NAME}:"
        if not recipient_id.startswith(prefix) or len(recipient_id) == len(prefix):
            channel = recipient_id.partition(":")[0][:32]  # not the id: personal data
            logger.warning("app push: a %r conversation is not an app one; not sent.", channel)
            return
        customer_id = recipient_id[len(prefix) :]
        await self.delivery.submit(Delivery(customer_id, recipient_id, message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Pushes ``{"text": ...}``."""
        await self._push(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Pushes ``{"text": ..., "buttons": [...]}`` (titles and payloads, as the REST reply)."""
        await self._push(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Pushes ``{"image": url}``."""
        await self._push(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Pushes ``{"attachment": ...}``."""
        await self._push(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Pushes ``{"custom": {...}}``."""
        await self._push(recipient_id, {"custom": json_message})


def push_settings(credentials: Mapping[str, Any]) -> dict[str, Any]:
    """``push`` and ``push_store`` of :class:`~zhike.channels.app.AppInput` (read once)."""
    push = _push_config(credentials)
    return {"push": push, "push_store": _push_store(credentials) if push else None}


def _push_config(credentials: Mapping[str, Any]) -> PushConfig | None:
    """Push settings from the credentials and environment; ``None`` (logged) when unset."""
    url = setting(credentials, "push_url", DEFAULT_PUSH_ENV) or ""
    secret = setting(credentials, "push_secret", DEFAULT_PUSH_ENV) or ""
    if not url:
        logger.info(
            "app channel: no push URL (%s): later messages are not pushed.",
            DEFAULT_PUSH_ENV["push_url"],
        )
        return None
    try:
        check_secret(secret)
    except ValueError:
        logger.warning(
            "app channel: the push secret (%s) is not set or shorter than %d bytes: "
            "later messages are not pushed.",
            DEFAULT_PUSH_ENV["push_secret"],
            MIN_SECRET_BYTES,
        )
        return None
    return PushConfig(url=str(url), secret=str(secret))


def _push_store(credentials: Mapping[str, Any]) -> PushStoreSettings | None:
    """The push journal's database: the setting, else SQLite under ``.zhike``."""
    url = setting(credentials, "push_db_url", DEFAULT_PUSH_ENV) or default_push_db_url()
    if url.strip().lower() == NO_PUSH_JOURNAL:
        logger.warning("app channel: pushes are kept in memory only; a restart loses them.")
        return None
    return PushStoreSettings(url=url)
