"""E-commerce tables: customers, orders (+ items), shipments (+ events), refunds, invoices."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text, text, true
from sqlalchemy.orm import relationship

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

ORDER_STATUSES = (
    "pending_payment",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "refunding",
    "refunded",
)


class Customer(Base):
    """A shopper or parent account (id like ``C001``)."""

    __tablename__ = "customers"
    id = Column(String(16), primary_key=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False, index=True)
    vip = Column(Boolean, nullable=False, default=False)
    course_notifications = Column(Boolean, nullable=False, default=True, server_default=true())
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    orders = relationship("Order", back_populates="customer", lazy="raise")


class Order(Base):
    """An e-commerce order (id like ``HP20240001``); amounts are integers in fen."""

    __tablename__ = "orders"
    id = Column(String(16), primary_key=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    amount_fen = Column(Integer, nullable=False)
    recipient = Column(String(64), nullable=False)
    phone = Column(String(20), nullable=False)
    shipping_address = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    customer = relationship("Customer", back_populates="orders", lazy="raise")
    items = relationship(
        "OrderItem", order_by="OrderItem.position", cascade="all, delete-orphan", lazy="raise"
    )
    logistics = relationship("Logistics", uselist=False, cascade="all, delete-orphan", lazy="raise")
    refunds = relationship(
        "Refund",
        order_by="(Refund.created_at, Refund.id)",
        cascade="all, delete-orphan",
        lazy="raise",
    )
    invoices = relationship(
        "Invoice",
        order_by="(Invoice.created_at, Invoice.id)",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class OrderItem(Base):
    """One line of an order: ``qty`` pieces of ``sku`` at ``price_fen`` each."""

    __tablename__ = "order_items"
    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=1)
    sku = Column(String(64), nullable=False)
    name = Column(String(255), nullable=False)
    qty = Column(Integer, nullable=False)
    price_fen = Column(Integer, nullable=False)

    # The catalogue row by sku (no foreign key, see tables.catalog): None once it left.
    product = relationship(
        "Product", primaryjoin="foreign(OrderItem.sku) == Product.sku", viewonly=True, lazy="raise"
    )


class Logistics(Base):
    """The shipment of an order: courier, tracking number, status and ETA."""

    __tablename__ = "logistics"
    order_id = Column(String(16), ForeignKey("orders.id"), primary_key=True)
    courier = Column(String(32), nullable=False)
    courier_code = Column(String(16), nullable=False)
    tracking_number = Column(String(32), nullable=False, unique=True)
    status = Column(String(32), nullable=False)  # in_transit, delivered, ...
    eta = Column(UTCDateTime, nullable=True)

    events = relationship(
        "TrackingEvent",
        order_by="TrackingEvent.time",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class TrackingEvent(Base):
    """One courier scan of a shipment."""

    __tablename__ = "tracking_events"
    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("logistics.order_id"), nullable=False, index=True)
    time = Column(UTCDateTime, nullable=False)
    location = Column(String(64), nullable=False)
    description = Column(String(255), nullable=False)


class Refund(Base):
    """A refund (requested, processing, approved, rejected, completed); id ``RF`` + 8 digits."""

    __tablename__ = "refunds"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    amount_fen = Column(Integer, nullable=False)
    reason = Column(Text, nullable=False)
    status = Column(String(32), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Invoice(Base):
    """An invoice request (electronic_normal or vat_special); id ``IV`` + 8 digits."""

    __tablename__ = "invoices"
    id = Column(String(16), primary_key=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    title = Column(String(128), nullable=False)
    tax_number = Column(String(32), nullable=True)
    type = Column(String(32), nullable=False)
    status = Column(String(32), nullable=False)  # requested, issued, rejected, reissuing
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # Changes (zhike.servers.backend.services.invoice_changes): electronic or paper, where
    # it was sent, how often the title changed, the company details a 专票 needs.
    medium = Column(String(16), nullable=False, default="electronic", server_default="electronic")
    title_changes = Column(Integer, nullable=False, default=0, server_default=text("0"))
    email = Column(String(128), nullable=True)
    issued_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    registered_address = Column(String(255), nullable=True)
    registered_phone = Column(String(32), nullable=True)
    bank_name = Column(String(64), nullable=True)
    bank_account = Column(String(40), nullable=True)
    mail_recipient = Column(String(64), nullable=True)
    mail_phone = Column(String(20), nullable=True)
    mail_address = Column(String(255), nullable=True)
