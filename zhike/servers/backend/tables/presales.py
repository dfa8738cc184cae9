"""Pre-sales (售前) data: delivery regions, fee rules, search keywords, restocks.

* ``shipping_regions``: one row per province-level region with the places inside it that
  customers name (cities, 江浙沪 ...) and the delivery days from the platform's warehouse
  (``delivers`` false: not delivered there at all, e.g. 港澳台).
* ``shipping_rules``: each shop's fee rule (``base_fee_fen``, free from ``free_over_fen``
  when set, ``remote_extra_fen`` on top for remote regions) and the extra days its own
  warehouse needs compared with the platform's.
* ``product_keywords``: words customers use for a product that its name lacks (空调, 纸).
* ``product_restocks``: when an out-of-stock product is expected back.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Text, true

from zhike.common.times import UTCDateTime
from zhike.servers.backend.tables.base import Base


class ShippingRegion(Base):
    """A province-level delivery region; ``places`` is a JSON list of names inside it."""

    __tablename__ = "shipping_regions"
    name = Column(String(32), primary_key=True)
    places = Column(Text, nullable=False, default="[]")
    days_min = Column(Integer, nullable=False, default=2)
    days_max = Column(Integer, nullable=False, default=3)
    remote = Column(Boolean, nullable=False, default=False)
    delivers = Column(Boolean, nullable=False, default=True, server_default=true())


class ShippingRule(Base):
    """A shop's shipping-fee rule (amounts in fen; ``free_over_fen`` null: never free)."""

    __tablename__ = "shipping_rules"
    seller = Column(String(64), primary_key=True)
    base_fee_fen = Column(Integer, nullable=False, default=0)
    free_over_fen = Column(Integer, nullable=True)
    remote_extra_fen = Column(Integer, nullable=False, default=0)
    extra_days = Column(Integer, nullable=False, default=0)


class ProductKeyword(Base):
    """A word that names the product ``sku`` in customers' questions."""

    __tablename__ = "product_keywords"
    id = Column(Integer, primary_key=True, autoincrement=True)
    sku = Column(String(64), nullable=False, index=True)
    keyword = Column(String(32), nullable=False)


class ProductRestock(Base):
    """When the out-of-stock product ``sku`` is expected back in stock."""

    __tablename__ = "product_restocks"
    sku = Column(String(64), primary_key=True)
    expected_at = Column(UTCDateTime, nullable=False)
