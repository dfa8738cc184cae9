"""The customer's own orders: which orders a sender may see, and the list to pick one from."""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker

from actions.common import ORDER_PROOF, proven
from actions.identity import identify
from actions.services import backend
from actions.verify_first import customer_asking
from zhike.lib.backend_client import Order
from zhike.lib.backend_client.domain import (
    DELIVERED,
    PAID,
    PENDING_PAYMENT,
    REFUNDED,
    REFUNDING,
    SHIPPED,
)
from zhike.lib.identity.resolver import Identity


async def recent_orders(tracker: Tracker) -> list[Order] | None:
    """The identified customer's newest orders; ``None`` for an anonymous sender.

    Raises:
        BackendError: the business system failed (BackendUnavailable: it is down).
    """
    customer_id = await customer_asking(tracker)
    if customer_id is None:
        return None
    return (await backend().list_orders(customer_id)) or []


def may_see(identity: Identity, order: Order, proved_orders: list[str]) -> bool:
    """Whether ``identity`` may see ``order``.

    A known customer sees only their own orders; an anonymous user only the orders they
    proved with the last 4 digits of the order's phone in this conversation
    (``proved_orders``, see :func:`proved_orders`).
    """
    if identity.customer_id is not None:
        return order.customer_id == identity.customer_id
    return order.order_id in proved_orders


def proved_orders(tracker: Tracker) -> list[str]:
    """The orders the sender proved: the valid, unexpired proofs of ``verified_orders``.

    A bare or forged order number in the slot proves nothing (see :mod:`actions.common`).
    """
    return proven(ORDER_PROOF, tracker.get_slot("verified_orders"), tracker.sender_id)


async def seen_order(tracker: Tracker, order_id: str) -> Order | None:
    """The order if the sender may see it (:func:`may_see`), else ``None``; says nothing.

    Raises:
        BackendError: the lookup failed (``BackendUnavailable`` when the system is down).
    """
    identity = await identify(tracker)
    order = await backend().get_order(order_id)
    if order is None or not may_see(identity, order, proved_orders(tracker)):
        return None
    return order


NOT_SHIPPED = (PENDING_PAYMENT, PAID)
ON_ITS_WAY = (PENDING_PAYMENT, PAID, SHIPPED)
# The business system's refund rules (zhike.servers.backend.services.orders): a paid,
# shipped or delivered order (a delivered one within 7 days, no refund already open).
REFUNDABLE = (PAID, SHIPPED, DELIVERED)
# ... and of its other services: 价保 (paid, shipped or delivered), installation (shipped
# or delivered), invoices (not for a cancelled or refunded order).
PRICE_PROTECTED = (PAID, SHIPPED, DELIVERED)
INSTALLABLE = (SHIPPED, DELIVERED)
INVOICEABLE = (PAID, SHIPPED, DELIVERED, REFUNDING)
# Which orders a form's question "请问是哪一笔订单呢？" is about: "我的退款到哪一步了"
# lists the orders with a refund, not every order.
RELEVANT: dict[str, Callable[[Order], bool]] = {
    "refund_status_form": lambda o: bool(o.refunds) or o.status in (REFUNDING, REFUNDED),
    "invoice_status_form": lambda o: bool(o.invoices),
    "invoice_resend_form": lambda o: bool(o.invoices),
    "invoice_change_form": lambda o: bool(o.invoices),
    "cancel_order_form": lambda o: o.status in NOT_SHIPPED,
    "address_form": lambda o: o.status in NOT_SHIPPED,
    "receiver_phone_form": lambda o: o.status in ON_ITS_WAY,
    "delivery_time_form": lambda o: o.status in ON_ITS_WAY,
    "intercept_form": lambda o: o.status == SHIPPED,
    "courier_contact_form": lambda o: o.status == SHIPPED,
    "refund_form": lambda o: o.status in REFUNDABLE,
    "exchange_form": lambda o: o.status == DELIVERED,  # "尺码买小了": not the cancelled ones
    "price_protection_form": lambda o: o.status in PRICE_PROTECTED,
    # Goods the shop installs (空调、电视…), not the phones and paper of the same customer.
    "visit_form": lambda o: o.status in INSTALLABLE and any(i.installable for i in o.items),
    # A repair once the visit is known to be one: any delivered goods (the form checks
    # the warranty).
    "visit_form/repair": lambda o: o.status == DELIVERED,
    "invoice_form": lambda o: (
        o.status in INVOICEABLE and all(invoice.status == "rejected" for invoice in o.invoices)
    ),
}


def form_asking(tracker: Tracker) -> str | None:
    """The running form, as :data:`RELEVANT` names it ("visit_form/repair" for a repair)."""
    form = tracker.active_loop_name
    if form == "visit_form" and tracker.get_slot("visit_kind") == "repair":
        return "visit_form/repair"
    return form


def orders_for(form: str | None, orders: list[Order]) -> list[Order]:
    """The orders ``form`` (see :func:`form_asking`) may be about, when some are; else all.

    The others stay reachable: a typed order number is looked up as ever, and the form
    explains why that order does not qualify.
    """
    relevant = RELEVANT.get(form or "")
    picked = [order for order in orders if relevant(order)] if relevant else []
    return picked or orders
