"""Delivery-change tables: change requests (``DC`` ids) and return pickups of refunds."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

# What a delivery change asks for.
CHANGE_KINDS = ("intercept", "return", "delivery_window", "receiver_phone", "pickup_window")
# requested -> intercepted / failed for an interception or a return; done for the others.
CHANGE_STATUSES = ("requested", "intercepted", "failed", "done")
PICKUP_STATUSES = ("scheduled", "picked_up", "cancelled")


class DeliveryChange(Base):
    """A delivery change asked for an order; id ``DC`` + 8 digits.

    ``window_date`` (``YYYY-MM-DD``, China time) and ``window_slot`` hold a chosen
    delivery or pickup window, ``phone`` a new receiver phone, ``fee_fen`` the courier's
    interception fee and ``note`` what the courier answered.
    """

    __tablename__ = "delivery_changes"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    fee_fen = Column(Integer, nullable=False, default=0)
    window_date = Column(String(10), nullable=True)
    window_slot = Column(String(16), nullable=True)
    phone = Column(String(20), nullable=True)
    note = Column(String(255), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ReturnPickup(Base):
    """The courier's visit to collect a returned parcel (上门取件) for a refund."""

    __tablename__ = "return_pickups"
    id = Column(Integer, primary_key=True, autoincrement=True)
    refund_id = Column(String(16), ForeignKey("refunds.id"), nullable=False, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    courier = Column(String(32), nullable=False)
    pickup_date = Column(String(10), nullable=False)
    pickup_slot = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
