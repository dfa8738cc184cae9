"""The business-data interface actions depend on: domain objects, errors, client contract.

Pure: no HTTP, no database. A company plugs its own systems in by subclassing
:class:`BackendClient` (one adapter class); actions only ever see the objects below.

Conventions: money is integer fen (1 yuan = 100 fen); times are timezone-aware UTC
``datetime`` objects; ids are upper case (``HP20240001``, ``C001``); an unknown record is
``None``, never an exception.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

# Order status codes (plain strings so they compare and hash like the JSON values).
PENDING_PAYMENT = "pending_payment"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
REFUNDING = "refunding"
REFUNDED = "refunded"
ORDER_STATUSES = (PENDING_PAYMENT, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDING, REFUNDED)


class BackendError(Exception):
    """The backend refused or could not answer a request (base of all client errors).

    Attributes:
        message: human-readable reason (the server's message when it sent one).
        code: machine-readable error code from the server, e.g. ``invalid_order_id``.
        status: HTTP status when the error came from an HTTP answer, else ``None``.
    """

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class BackendUnavailable(BackendError):
    """The backend cannot be reached right now: connection error, timeout or 5xx.

    Retrying later may succeed; actions should apologise or hand over to a human.
    """


@dataclass(frozen=True)
class OrderItem:
    """One order line: ``quantity`` pieces of ``sku`` at ``price_fen`` each."""

    sku: str
    name: str
    quantity: int
    price_fen: int

    @property
    def subtotal_fen(self) -> int:
        """``quantity * price_fen``."""
        return self.quantity * self.price_fen


@dataclass(frozen=True)
class TrackingEvent:
    """One courier scan: when, where, what happened."""

    time: datetime
    location: str
    description: str


@dataclass(frozen=True)
class Logistics:
    """The shipment of an order.

    ``events`` are in chronological order, so ``events[-1]`` is the latest scan.
    ``status`` is a courier-level code such as ``in_transit`` or ``delivered``; ``eta`` is
    ``None`` when unknown or already delivered.
    """

    order_id: str
    courier: str
    tracking_number: str
    status: str
    courier_code: str = ""
    eta: datetime | None = None
    events: tuple[TrackingEvent, ...] = ()

    @property
    def latest_event(self) -> TrackingEvent | None:
        """The most recent tracking event, if any."""
        return self.events[-1] if self.events else None


@dataclass(frozen=True)
class Refund:
    """A refund request of an order (status e.g. ``processing`` or ``completed``)."""

    refund_id: str
    order_id: str
    amount_fen: int
    reason: str
    status: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Order:
    """An e-commerce order as the bot may know it.

    ``status`` is one of :data:`ORDER_STATUSES`; ``logistics`` is ``None`` until the order
    ships. ``recipient``, ``phone`` and ``shipping_address`` are personal data: mask them
    (:mod:`zhike.privacy`) before showing or logging them.
    """

    order_id: str
    customer_id: str
    status: str
    amount_fen: int
    items: tuple[OrderItem, ...] = ()
    recipient: str = ""
    phone: str = ""
    shipping_address: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    logistics: Logistics | None = None
    refunds: tuple[Refund, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Customer:
    """A customer account (``phone`` is personal data)."""

    customer_id: str
    name: str
    phone: str
    vip: bool = False


@runtime_checkable
class OrdersClient(Protocol):
    """What order actions need: look orders and shipments up.

    Every method returns ``None`` for an unknown id and raises :class:`BackendError`
    (for a malformed id or a refused request) or :class:`BackendUnavailable` (backend
    down, slow or failing).
    """

    async def get_order(self, order_id: str) -> Order | None:
        """The order ``order_id`` (``HP`` + 8 digits, any case), or ``None``."""
        ...

    async def get_logistics(self, order_id: str) -> Logistics | None:
        """The shipment of an order, or ``None`` when the order is unknown or not shipped."""
        ...

    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """The customer's orders, newest first, or ``None`` when the customer is unknown."""
        ...


class BackendClient(abc.ABC):
    """The full client contract; subclass it to connect zhike to your own systems.

    Implement the abstract methods with the semantics of :class:`OrdersClient` plus
    :meth:`get_customer`; override :meth:`aclose` when holding resources. Instances are
    async context managers. Implementations must be safe to share between concurrent
    tasks of one event loop.
    """

    @abc.abstractmethod
    async def get_order(self, order_id: str) -> Order | None:
        """The order ``order_id`` (``HP`` + 8 digits, any case), or ``None``."""

    @abc.abstractmethod
    async def get_logistics(self, order_id: str) -> Logistics | None:
        """The shipment of an order, or ``None`` when the order is unknown or not shipped."""

    @abc.abstractmethod
    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """The customer's orders, newest first, or ``None`` when the customer is unknown."""

    @abc.abstractmethod
    async def get_customer(self, customer_id: str) -> Customer | None:
        """The customer ``customer_id`` (e.g. ``C001``), or ``None``."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, no-op by default
        """Releases resources (connections); the client must not be used afterwards."""

    async def __aenter__(self) -> BackendClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
