"""Installation and repair visits (上门安装 / 上门维修) of ordered products.

A visit belongs to one line of an order (``order_id`` + ``item_position``) and takes one
place in a time slot: a China-time day (``visit_date``, ``YYYY-MM-DD``) and a part of it
(``period``: ``am`` 9:00-12:00 or ``pm`` 13:00-18:00). The rules live in
:mod:`zhike.servers.backend.services.visits`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text, false

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

VISIT_KINDS = ("install", "repair")
VISIT_STATUSES = ("booked", "assigned", "done", "cancelled")


class Visit(Base):
    """A booked engineer visit; id ``SV`` + 8 digits.

    ``status`` is ``booked`` (waiting for an engineer), ``assigned`` (``engineer`` named),
    ``done`` or ``cancelled``. ``paid`` marks a repair out of warranty that the customer
    agreed to pay for. ``address`` and ``phone`` are where and whom the engineer visits.
    """

    __tablename__ = "visits"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    item_position = Column(Integer, nullable=False, default=1)
    sku = Column(String(64), nullable=False)
    product_name = Column(String(255), nullable=False)
    kind = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="booked")
    visit_date = Column(String(10), nullable=False, index=True)
    period = Column(String(2), nullable=False)
    address = Column(String(255), nullable=False)
    phone = Column(String(20), nullable=False)
    problem = Column(Text, nullable=False, default="")
    paid = Column(Boolean, nullable=False, default=False, server_default=false())
    engineer = Column(String(32), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
