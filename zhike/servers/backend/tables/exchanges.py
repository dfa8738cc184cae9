"""Exchange tables: product variants (families of sizes and colours), exchanges, evidence.

A product *family* is one model sold in several variants (``ANTA-RUN`` in black 42, black
43, white 42, ...): a size or colour exchange goes to another variant of the same family.
Families live in ``product_variants`` (one row per SKU that has siblings), so a shop names
them explicitly instead of the rules guessing from SKU or name stems. A SKU without a row
has no other variant: only a defect exchange (the same SKU again) applies to it.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

EXCHANGE_STATUSES = ("requested", "picked_up", "reshipped", "completed")


class ProductVariant(Base):
    """One variant of a product family: its colour and size (empty when not applicable)."""

    __tablename__ = "product_variants"
    sku = Column(String(64), ForeignKey("products.sku"), primary_key=True)
    family = Column(String(64), nullable=False, index=True)
    colour = Column(String(32), nullable=False, default="")
    size = Column(String(16), nullable=False, default="")


class Exchange(Base):
    """An exchange (换货) of one order line; id ``EX`` + 8 digits.

    ``reason`` is ``size``, ``colour`` or ``defect``; ``new_sku`` the variant sent back
    (the same SKU for a defect). The courier picks the old item up on ``pickup_date``
    (``YYYY-MM-DD``, China time) within ``pickup_slot`` (``09:00-12:00``); the new item's
    shipment is ``courier`` + ``tracking_number`` once ``reshipped``. Statuses:
    requested -> picked_up -> reshipped -> completed.
    """

    __tablename__ = "exchanges"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    sku = Column(String(64), nullable=False)
    new_sku = Column(String(64), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    reason = Column(String(16), nullable=False)
    note = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False)
    pickup_date = Column(String(10), nullable=False)
    pickup_slot = Column(String(16), nullable=False)
    courier = Column(String(32), nullable=True)
    tracking_number = Column(String(32), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class DisputeEvidence(Base):
    """One piece of evidence of a disputed return ticket: a text, or an image reference.

    ``kind`` is ``text`` (the customer's account) or ``image`` (a URL or a channel's media
    id, as the channel passed it).
    """

    __tablename__ = "dispute_evidence"
    id = Column(Integer, primary_key=True, autoincrement=True)
    ticket_id = Column(String(16), ForeignKey("tickets.id"), nullable=False, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    kind = Column(String(8), nullable=False)
    content = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
