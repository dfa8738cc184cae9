"""A courier's tracking number given where the order number was asked for.

Customers copy the number they see on the parcel or in the courier's SMS ("SF1234567890")
when asked for the order number. For a known customer the order it belongs to is found
among their own orders (:func:`order_with_tracking`), so the conversation goes on with
that order; otherwise they are told it is the tracking number, and what an order number
looks like, instead of "格式不对".
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker

from actions.own_orders import recent_orders
from actions.parsing import normalize_text
from zhike.lib.backend_client import BackendError, BackendUnavailable

logger = logging.getLogger(__name__)

# A courier prefix and 10-15 digits (SF, JD, YT …), or 12-15 digits alone (中通, 韵达):
# never 11 digits alone, a mobile number.
TRACKING = re.compile(
    r"(?<![A-Z0-9])(?:(?:SF|JDV?|YT|ZTO?|STO|YD|EMS|JT|DPK)\d{10,15}|\d{12,15})(?![0-9])"
)


def tracking_number(value: Any) -> str | None:
    """The tracking number in ``value`` (upper-cased), else ``None``."""
    match = TRACKING.search(normalize_text(value).upper())
    return match.group(0) if match else None


async def order_with_tracking(tracker: Tracker, number: str) -> str | None:
    """The order of the identified customer shipped under ``number``, else ``None``.

    Only the customer's own orders are searched: a tracking number never opens another
    customer's order.
    """
    try:
        orders = await recent_orders(tracker) or []
    except (BackendUnavailable, BackendError):
        logger.warning("Could not look a tracking number up among the customer's orders.")
        return None
    for order in orders:
        logistics = order.logistics
        if logistics is not None and (logistics.tracking_number or "").upper() == number:
            return order.order_id
    return None
