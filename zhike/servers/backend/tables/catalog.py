"""The product catalogue: what the shop sells, its current price and after-sales terms.

Order items point to products by ``sku`` (no foreign key: an order keeps the name and
price it was bought with, even when the product later leaves the catalogue). The
after-sales capabilities read their rules here: the current price (价保), the return and
exchange windows (换货), whether the product is installed at home (安装维修), stock and
specification (售前).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Text, false

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

PRODUCT_CATEGORIES = (
    "phone",
    "accessory",
    "appliance",
    "office",
    "baby",
    "food",
    "clothing",
    "digital",
)


class Product(Base):
    """A product on sale (id is its ``sku``); amounts are integers in fen.

    ``seller`` names the shop selling it (``京选自营`` for the platform's own); ``spec``
    is a JSON object of specification fields (Chinese labels to values);
    ``return_days`` / ``exchange_days`` are the no-questions return and exchange windows
    after delivery (0: none, e.g. food); ``warranty_days`` the repair warranty;
    ``installable`` whether the shop books home installation.
    """

    __tablename__ = "products"
    sku = Column(String(64), primary_key=True)
    name = Column(String(255), nullable=False)
    category = Column(String(32), nullable=False, index=True)
    brand = Column(String(64), nullable=False)
    seller = Column(String(64), nullable=False)
    price_fen = Column(Integer, nullable=False)
    stock = Column(Integer, nullable=False, default=0)
    return_days = Column(Integer, nullable=False, default=7)
    exchange_days = Column(Integer, nullable=False, default=15)
    warranty_days = Column(Integer, nullable=False, default=365)
    installable = Column(Boolean, nullable=False, default=False, server_default=false())
    spec = Column(Text, nullable=False, default="{}")
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
