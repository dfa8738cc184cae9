"""An in-memory client over the demo data set, for unit tests of actions (no server)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from zhike.backend.demo_data import DemoData, build_demo_data
from zhike.backend.ids import (
    INVALID_CUSTOMER_ID_MESSAGE,
    INVALID_ORDER_ID_MESSAGE,
    normalize_customer_id,
    normalize_order_id,
)
from zhike.backend_client.base import (
    BackendClient,
    BackendError,
    BackendUnavailable,
    Customer,
    Logistics,
    Order,
    OrderItem,
    Refund,
    TrackingEvent,
)


class InMemoryBackendClient(BackendClient):
    """Answers like the real backend, from :func:`zhike.backend.demo_data.build_demo_data`.

    Same records, same id rules (a malformed id raises :class:`BackendError` with code
    ``invalid_order_id`` / ``invalid_customer_id`` and status 400, like the server), same
    ordering. Objects are built once; the client never does I/O.

    Attributes:
        unavailable: when True every call raises :class:`BackendUnavailable`, to test how
            actions cope with a backend that is down.
        calls: ``(method, argument)`` of every call, in order.

    Args:
        now: reference time of the data set (default: now).
        data: a data set shaped like ``build_demo_data()``'s, to test with other records.
    """

    def __init__(self, now: datetime | None = None, data: DemoData | None = None) -> None:
        source = data if data is not None else build_demo_data(now)
        self.unavailable = False
        self.calls: list[tuple[str, str]] = []
        self._customers = {row["id"]: _customer(row) for row in source["customers"]}
        self._logistics = {
            row["order_id"]: _logistics(row, source["tracking_events"])
            for row in source["logistics"]
        }
        self._orders = {row["id"]: self._order(row, source) for row in source["orders"]}

    def _order(self, row: dict[str, Any], source: DemoData) -> Order:
        order_id = row["id"]
        items = sorted(
            (item for item in source["order_items"] if item["order_id"] == order_id),
            key=lambda item: item.get("position", 0),
        )
        refunds = sorted(
            (refund for refund in source["refunds"] if refund["order_id"] == order_id),
            key=lambda refund: refund["created_at"],
        )
        return Order(
            order_id=order_id,
            customer_id=row["customer_id"],
            status=row["status"],
            amount_fen=row["amount_fen"],
            items=tuple(
                OrderItem(sku=i["sku"], name=i["name"], quantity=i["qty"], price_fen=i["price_fen"])
                for i in items
            ),
            recipient=row["recipient"],
            phone=row["phone"],
            shipping_address=row["shipping_address"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            logistics=self._logistics.get(order_id),
            refunds=tuple(
                Refund(
                    refund_id=r["id"],
                    order_id=r["order_id"],
                    amount_fen=r["amount_fen"],
                    reason=r["reason"],
                    status=r["status"],
                    created_at=r["created_at"],
                )
                for r in refunds
            ),
        )

    def _enter(self, method: str, argument: str) -> None:
        self.calls.append((method, argument))
        if self.unavailable:
            raise BackendUnavailable("in-memory backend set unavailable", code="unavailable")

    @staticmethod
    def _order_id(value: str) -> str:
        order_id = normalize_order_id(value)
        if order_id is None:
            raise BackendError(INVALID_ORDER_ID_MESSAGE, code="invalid_order_id", status=400)
        return order_id

    @staticmethod
    def _customer_id(value: str) -> str:
        customer_id = normalize_customer_id(value)
        if customer_id is None:
            raise BackendError(INVALID_CUSTOMER_ID_MESSAGE, code="invalid_customer_id", status=400)
        return customer_id

    async def get_order(self, order_id: str) -> Order | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        self._enter("get_order", order_id)
        return self._orders.get(self._order_id(order_id))

    async def get_logistics(self, order_id: str) -> Logistics | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        self._enter("get_logistics", order_id)
        return self._logistics.get(self._order_id(order_id))

    async def list_orders(self, customer_id: str) -> list[Order] | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        self._enter("list_orders", customer_id)
        customer_id = self._customer_id(customer_id)
        if customer_id not in self._customers:
            return None
        orders = [order for order in self._orders.values() if order.customer_id == customer_id]
        orders.sort(
            key=lambda o: (o.created_at.timestamp() if o.created_at else 0.0, o.order_id),
            reverse=True,
        )
        return orders

    async def get_customer(self, customer_id: str) -> Customer | None:
        """See :class:`~zhike.backend_client.base.BackendClient`."""
        self._enter("get_customer", customer_id)
        return self._customers.get(self._customer_id(customer_id))


def _customer(row: dict[str, Any]) -> Customer:
    return Customer(
        customer_id=row["id"], name=row["name"], phone=row["phone"], vip=bool(row["vip"])
    )


def _logistics(row: dict[str, Any], events: list[dict[str, Any]]) -> Logistics:
    own = sorted(
        (event for event in events if event["order_id"] == row["order_id"]),
        key=lambda event: event["time"],
    )
    return Logistics(
        order_id=row["order_id"],
        courier=row["courier"],
        tracking_number=row["tracking_number"],
        status=row["status"],
        courier_code=row.get("courier_code", ""),
        eta=row.get("eta"),
        events=tuple(
            TrackingEvent(time=e["time"], location=e["location"], description=e["description"])
            for e in own
        ),
    )
