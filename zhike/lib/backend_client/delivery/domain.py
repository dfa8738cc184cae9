"""Frozen objects of delivery changes and return pickups, and their JSON parsers (pure).

A parser raises :class:`~zhike.lib.backend_client.errors.BackendError` (code
``invalid_response``) for a document of the wrong shape. ``phone`` is personal data:
mask it (:func:`zhike.common.privacy.mask_phone`) before showing or logging it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from zhike.lib.backend_client.errors import BackendError

T = TypeVar("T")

# Kinds of delivery change.
INTERCEPT = "intercept"  # 拦截: stop the parcel and send it back
RETURN = "return"  # 退回: have it returned to the sender
DELIVERY_WINDOW = "delivery_window"  # 预约配送
RECEIVER_PHONE = "receiver_phone"
PICKUP_WINDOW = "pickup_window"  # 改约上门取件
# Statuses: an interception is requested, then intercepted or failed; the rest are done.
REQUESTED, INTERCEPTED, FAILED, DONE = "requested", "intercepted", "failed", "done"
# Slots of a delivery window (pickups: am and pm only).
SLOTS = ("am", "pm", "evening")
PICKUP_SLOTS = ("am", "pm")


@dataclass(frozen=True)
class DeliveryChange:
    """A delivery change of an order (id ``DC`` + 8 digits).

    ``window_date``/``window_slot`` hold a chosen delivery or pickup window, ``phone`` a
    new receiver phone (personal data), ``fee_fen`` the courier's interception fee and
    ``note`` the courier's answer or a remark.
    """

    change_id: str
    order_id: str
    kind: str
    status: str
    created_at: datetime
    fee_fen: int = 0
    window_date: date | None = None
    window_slot: str | None = None
    phone: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReturnPickup:
    """The courier's visit (上门取件) to collect the parcel of a refund."""

    order_id: str
    refund_id: str
    courier: str
    pickup_date: date
    pickup_slot: str
    status: str  # scheduled, picked_up, cancelled


def _strict(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], T]:
    def wrapper(data: Any) -> T:
        if not isinstance(data, dict):
            raise BackendError(
                f"invalid backend response: expected an object, got {type(data).__name__}",
                code="invalid_response",
            )
        try:
            return parse(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackendError(
                f"invalid backend response ({parse.__name__}): {error!r}",
                code="invalid_response",
            ) from error

    wrapper.__name__ = parse.__name__
    wrapper.__doc__ = parse.__doc__
    return wrapper


def _time(value: Any) -> datetime:
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _day(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def _fee(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


@_strict
def delivery_change_from_json(data: dict[str, Any]) -> DeliveryChange:
    """``{"change_id", "order_id", "kind", "status", "created_at", ...}``."""
    return DeliveryChange(
        change_id=str(data["change_id"]).upper(),
        order_id=str(data["order_id"]).upper(),
        kind=str(data["kind"]),
        status=str(data["status"]),
        created_at=_time(data["created_at"]),
        fee_fen=_fee(data.get("fee_fen")),
        window_date=_day(data.get("window_date")),
        window_slot=data.get("window_slot") or None,
        phone=data.get("phone") or None,
        note=str(data.get("note") or ""),
    )


@_strict
def delivery_changes_from_json(data: dict[str, Any]) -> list[DeliveryChange]:
    """``{"changes": [...]}``."""
    changes = data["changes"]
    if not isinstance(changes, list):
        raise ValueError("changes is not a list")
    return [delivery_change_from_json(change) for change in changes]


@_strict
def return_pickup_from_json(data: dict[str, Any]) -> ReturnPickup:
    """``{"order_id", "refund_id", "courier", "pickup_date", "pickup_slot", "status"}``."""
    day = _day(data["pickup_date"])
    if day is None:
        raise ValueError("missing pickup_date")
    return ReturnPickup(
        order_id=str(data["order_id"]).upper(),
        refund_id=str(data["refund_id"]).upper(),
        courier=str(data.get("courier") or ""),
        pickup_date=day,
        pickup_slot=str(data["pickup_slot"]),
        status=str(data["status"]),
    )


@_strict
def pickup_answer_from_json(data: dict[str, Any]) -> ReturnPickup | None:
    """``{"pickup": {...} | null}``."""
    pickup = data["pickup"]
    return None if pickup is None else return_pickup_from_json(pickup)
