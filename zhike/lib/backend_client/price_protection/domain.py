"""Frozen 价保 (price protection) and contact objects, and their JSON parsers (pure).

Money is integer fen. ``PriceCheckItem.code`` is ``eligible`` or why the item is not
protected (``already_applied``, ``order_status``, ``product_unavailable``,
``no_protection``, ``out_of_window``, ``no_drop``, ``other_seller_cheaper``,
``promotion``); ``message`` says it in Chinese, ready to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.lib.backend_client.domain import Refund
from zhike.lib.backend_client.errors import BackendError

T = TypeVar("T")

ELIGIBLE = "eligible"


@dataclass(frozen=True)
class PriceCheckItem:
    """The 价保 verdict of one order item."""

    position: int
    sku: str
    name: str
    seller: str
    quantity: int
    paid_price_fen: int
    current_price_fen: int | None
    code: str
    message: str
    amount_fen: int
    window_days: int
    days_since_order: int

    @property
    def eligible(self) -> bool:
        """Whether the item can be protected now."""
        return self.code == ELIGIBLE


@dataclass(frozen=True)
class PriceCheck:
    """The verdicts of every item of an order; ``amount_fen`` is what applying refunds."""

    order_id: str
    amount_fen: int
    items: tuple[PriceCheckItem, ...]

    @property
    def eligible_items(self) -> tuple[PriceCheckItem, ...]:
        """The items applying would protect."""
        return tuple(item for item in self.items if item.eligible)


@dataclass(frozen=True)
class PriceProtection:
    """A granted application for one item, with its refund's status."""

    protection_id: str
    order_id: str
    position: int
    name: str
    quantity: int
    paid_price_fen: int
    current_price_fen: int
    amount_fen: int
    refund_id: str
    refund_status: str
    created_at: datetime | None


@dataclass(frozen=True)
class PriceProtectionApplication:
    """The refund of the difference and the items it protects."""

    order_id: str
    refund: Refund
    protections: tuple[PriceProtection, ...]


@dataclass(frozen=True)
class CourierContact:
    """The courier of a parcel on its way (``available``), or why there is none.

    ``phone_masked`` is already masked (``138****5678``); ``virtual_number`` with
    ``extension`` is the privacy number to call, when the courier company has one.
    """

    order_id: str
    available: bool
    code: str
    message: str
    company: str | None = None
    tracking_number: str | None = None
    name: str | None = None
    phone_masked: str | None = None
    virtual_number: str | None = None
    extension: str | None = None
    station: str | None = None


@dataclass(frozen=True)
class MerchantContact:
    """How to reach a shop: channel, service hours, phone; the items it sold."""

    seller: str
    self_operated: bool
    channel: str
    hours: str
    phone: str | None
    items: tuple[str, ...] = ()


def _strict(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], T]:
    """``parse`` raising ``BackendError`` (``invalid_response``) for a malformed document."""

    def wrapper(data: Any) -> T:
        try:
            if not isinstance(data, dict):
                raise TypeError(f"expected an object, got {type(data).__name__}")
            return parse(data)
        except BackendError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise BackendError(
                f"invalid backend response ({parse.__name__}): {error!r}", code="invalid_response"
            ) from error

    wrapper.__name__ = parse.__name__
    wrapper.__doc__ = parse.__doc__
    return wrapper


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _refund(data: dict[str, Any]) -> Refund:
    return Refund(
        refund_id=str(data["refund_id"]),
        order_id=str(data["order_id"]).upper(),
        amount_fen=_num(data["amount_fen"]),
        reason=str(data.get("reason") or ""),
        status=str(data["status"]),
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
    )


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _num(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


@_strict
def price_check_item_from_json(data: dict[str, Any]) -> PriceCheckItem:
    """One item's verdict."""
    current = data.get("current_price_fen")
    return PriceCheckItem(
        position=_num(data["position"]),
        sku=str(data["sku"]),
        name=str(data["name"]),
        seller=str(data.get("seller") or ""),
        quantity=_num(data["qty"]),
        paid_price_fen=_num(data["paid_price_fen"]),
        current_price_fen=None if current is None else _num(current),
        code=str(data["code"]),
        message=str(data["message"]),
        amount_fen=_num(data["amount_fen"]),
        window_days=_num(data.get("window_days", 0)),
        days_since_order=_num(data.get("days_since_order", 0)),
    )


@_strict
def price_check_from_json(data: dict[str, Any]) -> PriceCheck:
    """An order's verdicts."""
    items = data["items"]
    if not isinstance(items, list):
        raise ValueError("items is not a list")
    return PriceCheck(
        order_id=str(data["order_id"]).upper(),
        amount_fen=_num(data["amount_fen"]),
        items=tuple(price_check_item_from_json(item) for item in items),
    )


@_strict
def protection_from_json(data: dict[str, Any]) -> PriceProtection:
    """One granted application."""
    return PriceProtection(
        protection_id=str(data["protection_id"]),
        order_id=str(data["order_id"]).upper(),
        position=_num(data["position"]),
        name=str(data.get("name") or ""),
        quantity=_num(data.get("qty", 1)),
        paid_price_fen=_num(data.get("paid_price_fen", 0)),
        current_price_fen=_num(data.get("current_price_fen", 0)),
        amount_fen=_num(data["amount_fen"]),
        refund_id=str(data["refund_id"]),
        refund_status=str(data["refund_status"]),
        created_at=_time(data.get("created_at")),
    )


@_strict
def protections_from_json(data: dict[str, Any]) -> list[PriceProtection]:
    """A list of applications."""
    rows = data["protections"]
    if not isinstance(rows, list):
        raise ValueError("protections is not a list")
    return [protection_from_json(row) for row in rows]


@_strict
def application_from_json(data: dict[str, Any]) -> PriceProtectionApplication:
    """A granted application."""
    rows = data["protections"]
    if not isinstance(rows, list):
        raise ValueError("protections is not a list")
    return PriceProtectionApplication(
        order_id=str(data["order_id"]).upper(),
        refund=_refund(data["refund"]),
        protections=tuple(protection_from_json(row) for row in rows),
    )


@_strict
def courier_from_json(data: dict[str, Any]) -> CourierContact:
    """The courier's contact or why there is none."""
    return CourierContact(
        order_id=str(data["order_id"]).upper(),
        available=bool(data["available"]),
        code=str(data["code"]),
        message=str(data.get("message") or ""),
        company=_opt(data.get("company")),
        tracking_number=_opt(data.get("tracking_number")),
        name=_opt(data.get("name")),
        phone_masked=_opt(data.get("phone_masked")),
        virtual_number=_opt(data.get("virtual_number")),
        extension=_opt(data.get("extension")),
        station=_opt(data.get("station")),
    )


@_strict
def merchant_from_json(data: dict[str, Any]) -> MerchantContact:
    """One shop's contact."""
    items = data.get("items") or []
    if not isinstance(items, list):
        raise ValueError("items is not a list")
    return MerchantContact(
        seller=str(data["seller"]),
        self_operated=bool(data["self_operated"]),
        channel=str(data["channel"]),
        hours=str(data["hours"]),
        phone=_opt(data.get("phone")),
        items=tuple(str(item) for item in items),
    )


@_strict
def merchants_from_json(data: dict[str, Any]) -> list[MerchantContact]:
    """An order's shops."""
    rows = data["merchants"]
    if not isinstance(rows, list):
        raise ValueError("merchants is not a list")
    return [merchant_from_json(row) for row in rows]
