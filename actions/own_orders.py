"""The identified customer's own orders: the only list a conversation may pick an order from."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.identity import identify
from actions.services import backend
from zhike.lib.backend_client import Order


async def recent_orders(tracker: Tracker) -> list[Order] | None:
    """The identified customer's newest orders; ``None`` for an anonymous sender.

    Raises:
        BackendError: the business system failed (BackendUnavailable: it is down).
    """
    identity = await identify(tracker)
    if identity.customer_id is None:
        return None
    return (await backend().list_orders(identity.customer_id)) or []
