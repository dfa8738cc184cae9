"""SQLAlchemy 1.4 declarative models of the demo business systems.

Catalogue (:mod:`zhike.servers.backend.tables.catalog`): products with their current price
and after-sales terms. E-commerce (:mod:`zhike.servers.backend.tables.shop`): customers,
orders (+ items), logistics (+ tracking events), refunds and invoices. Online school
(:mod:`zhike.servers.backend.tables.school`): students, courses, enrollments, lessons and
lesson requests (leave / reschedule). Service and identity
(:mod:`zhike.servers.backend.tables.service`): tickets and their notes, phone-check
attempts, attempt counters, channel bindings, one-time codes and id sequences.
Relationships use ``lazy="raise"`` so async code must load what it needs explicitly
(see :mod:`zhike.servers.backend.queries`).
"""

from __future__ import annotations

from typing import Any

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base
from zhike.servers.backend.tables.catalog import PRODUCT_CATEGORIES, Product
from zhike.servers.backend.tables.delivery import DeliveryChange, ReturnPickup
from zhike.servers.backend.tables.exchanges import DisputeEvidence, Exchange, ProductVariant
from zhike.servers.backend.tables.invoices import InvoiceChange
from zhike.servers.backend.tables.presales import (
    ProductKeyword,
    ProductRestock,
    ShippingRegion,
    ShippingRule,
)
from zhike.servers.backend.tables.price_protection import (
    CourierContact,
    PriceEvent,
    PriceProtection,
    SellerContact,
)
from zhike.servers.backend.tables.school import Course, Enrollment, Lesson, LessonRequest, Student
from zhike.servers.backend.tables.service import (
    AttemptCounter,
    BindingCode,
    ChannelBinding,
    IdSequence,
    PhoneCheckAttempts,
    Ticket,
    TicketNote,
)
from zhike.servers.backend.tables.shop import (
    ORDER_STATUSES,
    Customer,
    Invoice,
    Logistics,
    Order,
    OrderItem,
    Refund,
    TrackingEvent,
)
from zhike.servers.backend.tables.visits import Visit

# The tables of the demo data set (see zhike.servers.backend.demo_data.TABLES), by name.
MODELS_BY_TABLE: dict[str, Any] = {
    model.__tablename__: model
    for model in (
        Product,
        Customer,
        Order,
        OrderItem,
        Logistics,
        TrackingEvent,
        Refund,
        Invoice,
        Student,
        Course,
        Enrollment,
        Lesson,
        LessonRequest,
        Ticket,
        ShippingRegion,
        ShippingRule,
        ProductKeyword,
        ProductRestock,
        PriceEvent,
        PriceProtection,
        CourierContact,
        SellerContact,
        Visit,
        InvoiceChange,
    )
}
MODELS_BY_TABLE.update(
    {model.__tablename__: model for model in (ProductVariant, Exchange, DisputeEvidence)}
)

MODELS_BY_TABLE.update({model.__tablename__: model for model in (DeliveryChange, ReturnPickup)})

# Bookkeeping tables the service writes as it runs (never seeded).
STATE_MODELS: dict[str, Any] = {
    model.__tablename__: model
    for model in (PhoneCheckAttempts, AttemptCounter, ChannelBinding, BindingCode, IdSequence)
}
STATE_MODELS.update({TicketNote.__tablename__: TicketNote})  # customers' notes on tickets

__all__ = [
    "PRODUCT_CATEGORIES",
    "Product",
    "MODELS_BY_TABLE",
    "ORDER_STATUSES",
    "STATE_MODELS",
    "AttemptCounter",
    "Base",
    "BindingCode",
    "ChannelBinding",
    "CourierContact",
    "Course",
    "Customer",
    "DeliveryChange",
    "Enrollment",
    "IdSequence",
    "Invoice",
    "InvoiceChange",
    "Lesson",
    "LessonRequest",
    "Logistics",
    "Order",
    "OrderItem",
    "PhoneCheckAttempts",
    "PriceEvent",
    "PriceProtection",
    "Refund",
    "SellerContact",
    "ReturnPickup",
    "Student",
    "Ticket",
    "TicketNote",
    "TrackingEvent",
    "UTCDateTime",
    "Visit",
    "utcnow",
    "DisputeEvidence",
    "Exchange",
    "ProductVariant",
]
