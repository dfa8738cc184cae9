"""价保 (price protection) and contact tables: price events, applications, couriers, sellers.

* ``price_events``: the price history of a SKU by kind: ``regular`` (a plain price
  change) or a promotion (``flash_sale`` 秒杀/限时抢购, ``plus_price`` PLUS 专享价,
  ``coupon`` 券后价) active from ``starts_at`` until ``ends_at``. A current price that an
  active promotion explains is not protected.
* ``price_protections``: one application per order item (id ``PP`` + 8 digits); the
  difference is refunded through a row of ``refunds`` (``refund_id``).
* ``courier_contacts``: who delivers a parcel (name, masked phone, virtual number).
* ``seller_contacts``: how to reach each shop (service channel, hours, phone) and its
  price-protection window.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, UniqueConstraint, false

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

PRICE_EVENT_KINDS = ("regular", "flash_sale", "plus_price", "coupon")


class PriceEvent(Base):
    """A price of ``sku`` from ``starts_at`` until ``ends_at`` (open-ended when null)."""

    __tablename__ = "price_events"
    id = Column(Integer, primary_key=True, autoincrement=True)
    sku = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    label = Column(String(64), nullable=False, default="")
    price_fen = Column(Integer, nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=True)


class PriceProtection(Base):
    """A granted price protection of one order item; the refund carries the money."""

    __tablename__ = "price_protections"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_price_protection_item"),)
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    sku = Column(String(64), nullable=False)
    name = Column(String(255), nullable=False)
    seller = Column(String(64), nullable=False)
    qty = Column(Integer, nullable=False)
    paid_price_fen = Column(Integer, nullable=False)
    current_price_fen = Column(Integer, nullable=False)
    amount_fen = Column(Integer, nullable=False)
    refund_id = Column(String(16), ForeignKey("refunds.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class CourierContact(Base):
    """The courier carrying an order's parcel now (stage ``transit`` or ``delivery``)."""

    __tablename__ = "courier_contacts"
    order_id = Column(String(16), ForeignKey("orders.id"), primary_key=True)
    name = Column(String(32), nullable=False)
    phone = Column(String(20), nullable=False)
    virtual_number = Column(String(20), nullable=True)
    extension = Column(String(8), nullable=True)
    station = Column(String(64), nullable=False, default="")
    stage = Column(String(16), nullable=False, default="transit")
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class SellerContact(Base):
    """A shop: its customer-service channel, hours and phone, and its 价保 window (days)."""

    __tablename__ = "seller_contacts"
    seller = Column(String(64), primary_key=True)
    self_operated = Column(Boolean, nullable=False, default=False, server_default=false())
    channel = Column(String(64), nullable=False)
    hours = Column(String(64), nullable=False)
    phone = Column(String(32), nullable=True)
    price_protection_days = Column(Integer, nullable=False, default=7)
