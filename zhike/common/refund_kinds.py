"""What a refund is for, as the business system writes it in the refund's reason.

A price-protection refund (价保) pays back a price difference: the goods stay with the
customer, who may still return them. So it does not block a return's refund (which pays
back what is left of the price), where any other open refund does. The backend writes the
reason, the robot reads it (:func:`is_price_difference`).
"""

from __future__ import annotations

PRICE_PROTECTION_REASON = "价格保护退差价"


def is_price_difference(reason: str) -> bool:
    """Whether a refund with this reason paid back a price difference (价保)."""
    return reason == PRICE_PROTECTION_REASON
