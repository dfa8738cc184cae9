"""Frozen visit objects and their JSON parsers (pure).

A slot is a China-time day (``date``, ``YYYY-MM-DD``) and a ``period``: :data:`AM`
(9:00-12:00) or :data:`PM` (13:00-18:00). Addresses and phones are personal data: mask
them before showing them (:mod:`zhike.common.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zhike.lib.backend_client.parsing import _int, _list_of, _str, _strict, parse_time

INSTALL = "install"
REPAIR = "repair"
AM = "am"
PM = "pm"
VISIT_STATUSES = ("booked", "assigned", "done", "cancelled")
OPEN_VISIT_STATUSES = ("booked", "assigned")


@dataclass(frozen=True)
class Slot:
    """A free time slot: ``day`` and ``period`` (``am``/``pm``), ``label`` in words."""

    day: date
    period: str
    label: str


@dataclass(frozen=True)
class VisitItem:
    """What one order line allows.

    ``delivered_days`` is ``None`` until the order is delivered; ``install_visit_id`` names
    the installation already booked for the line.
    """

    position: int
    sku: str
    name: str
    installable: bool
    install_visit_id: str | None
    warranty_days: int
    delivered_days: int | None
    in_warranty: bool


@dataclass(frozen=True)
class VisitOptions:
    """An order's visit options: status, default address and phone (personal), lines, slots."""

    order_id: str
    status: str
    address: str
    phone: str
    items: tuple[VisitItem, ...]
    earliest: date
    free_slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Visit:
    """A booked installation or repair visit (id ``SV`` + 8 digits).

    ``status``: booked, assigned (``engineer`` named; full name, show it masked), done,
    cancelled. ``address`` and ``phone`` are personal data.
    """

    visit_id: str
    order_id: str
    item_position: int
    sku: str
    product_name: str
    kind: str
    status: str
    day: date
    period: str
    slot_label: str
    address: str
    phone: str
    problem: str
    paid: bool
    engineer: str | None
    created_at: datetime | None


def _date(value: Any) -> date:
    return date.fromisoformat(_str(value))


@_strict
def slot_from_json(data: dict[str, Any]) -> Slot:
    """A free slot."""
    return Slot(_date(data["date"]), _str(data["period"]), _str(data["slot_label"]))


@_strict
def visit_item_from_json(data: dict[str, Any]) -> VisitItem:
    """One order line's options."""
    booked = data.get("install_visit_id")
    days = data.get("delivered_days")
    return VisitItem(
        position=_int(data["position"]),
        sku=_str(data["sku"]),
        name=_str(data["name"]),
        installable=bool(data["installable"]),
        install_visit_id=None if booked in (None, "") else _str(booked),
        warranty_days=_int(data["warranty_days"]),
        delivered_days=None if days is None else _int(days),
        in_warranty=bool(data["in_warranty"]),
    )


@_strict
def visit_options_from_json(data: dict[str, Any]) -> VisitOptions:
    """An order's visit options."""
    return VisitOptions(
        order_id=_str(data["order_id"]).upper(),
        status=_str(data["status"]),
        address=_str(data["address"]),
        phone=_str(data["phone"]),
        items=tuple(_list_of(data, "items", visit_item_from_json)),
        earliest=_date(data["earliest_date"]),
        free_slots=tuple(_list_of(data, "free_slots", slot_from_json)),
    )


@_strict
def visit_from_json(data: dict[str, Any]) -> Visit:
    """A visit."""
    engineer = data.get("engineer")
    return Visit(
        visit_id=_str(data["visit_id"]).upper(),
        order_id=_str(data["order_id"]).upper(),
        item_position=_int(data["item_position"]),
        sku=_str(data["sku"]),
        product_name=_str(data["product_name"]),
        kind=_str(data["kind"]),
        status=_str(data["status"]),
        day=_date(data["date"]),
        period=_str(data["period"]),
        slot_label=_str(data["slot_label"]),
        address=_str(data["address"]),
        phone=_str(data["phone"]),
        problem=_str(data.get("problem")),
        paid=bool(data.get("paid")),
        engineer=None if engineer in (None, "") else _str(engineer),
        created_at=parse_time(data.get("created_at")),
    )


@_strict
def visits_from_json(data: dict[str, Any]) -> list[Visit]:
    """A list of visits."""
    return _list_of(data, "visits", visit_from_json)
