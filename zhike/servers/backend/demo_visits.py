"""Demo data of installation and repair visits (orders HP20241401-HP20241499, visits SV).

All for C001 张伟 (older than the five base orders, so "my latest orders" still shows those
first):

* HP20241401 格力空调 (installable) delivered 10 days ago, nothing booked: book an
  installation ("空调到了什么时候能来装").
* HP20241402 海信电视 delivered 12 days ago, installation SV20240001 assigned to engineer
  王建国 in three days' morning: status, change, cancel.
* HP20241403 九阳料理机 (not installable) delivered 13 days ago.
* HP20241404 海信电视 delivered 415 days ago: out of its 365-day warranty.
* HP20241405 格力空调 delivered 30 days ago, installed (SV20240002 done): a repair in
  warranty (1095 days).
* HP20241406 格力空调 shipped, arriving tomorrow, installation SV20240003 booked in three
  days' morning: with SV20240001 that slot is full (capacity 2).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from zhike.servers.backend.demo_school import CHINA_TZ, DemoData, Row

_ADDRESS = "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室"
_PHONE = "13800138001"
_AC = ("GREE-KFR35-YT", "格力 云佳 1.5 匹 新一级能效 变频挂机空调 KFR-35GW", 279900)
_TV = ("HISENSE-65E3K", "海信 65 英寸 4K 智能液晶电视 65E3K", 259900)
_BLENDER = ("JY-L18-P396", "九阳 破壁料理机 L18-P396", 59900)

# order id, status, days since the order, days since delivery (None: not delivered), item
_ORDERS: list[tuple[str, str, int, int | None, tuple[str, str, int]]] = [
    ("HP20241401", "delivered", 13, 10, _AC),
    ("HP20241402", "delivered", 15, 12, _TV),
    ("HP20241403", "delivered", 16, 13, _BLENDER),
    ("HP20241404", "delivered", 420, 415, _TV),
    ("HP20241405", "delivered", 34, 30, _AC),
    ("HP20241406", "shipped", 11, None, _AC),
]


def _day(now: datetime, days: int) -> str:
    return (now.astimezone(CHINA_TZ).date() + timedelta(days=days)).isoformat()


def _delivered(now: datetime, days: int) -> datetime:
    local = now.astimezone(CHINA_TZ) - timedelta(days=days)
    return local.replace(hour=14, minute=20, second=0).astimezone(timezone.utc)


def _visit(
    now: datetime, visit_id: str, order_id: str, status: str, day: int, engineer: str | None
) -> Row:
    sku, name, _ = next(item for oid, _, _, _, item in _ORDERS if oid == order_id)
    return {
        "id": visit_id,
        "order_id": order_id,
        "customer_id": "C001",
        "item_position": 1,
        "sku": sku,
        "product_name": name,
        "kind": "install",
        "status": status,
        "visit_date": _day(now, day),
        "period": "am",
        "address": _ADDRESS,
        "phone": _PHONE,
        "problem": "",
        "paid": False,
        "engineer": engineer,
        "created_at": now - timedelta(days=5),
        "updated_at": now - timedelta(days=1),
    }


def visits_data(now: datetime) -> DemoData:
    """Orders, items, shipments and visits of the installation and repair demo."""
    orders: list[Row] = []
    items: list[Row] = []
    logistics: list[Row] = []
    events: list[Row] = []
    for order_id, status, age, delivered, (sku, name, price) in _ORDERS:
        created = now - timedelta(days=age)
        arrived = _delivered(now, delivered) if delivered is not None else None
        orders.append(
            {
                "id": order_id,
                "customer_id": "C001",
                "status": status,
                "amount_fen": price,
                "recipient": "张伟",
                "phone": _PHONE,
                "shipping_address": _ADDRESS,
                "created_at": created,
                "updated_at": arrived or created + timedelta(days=1),
            }
        )
        items.append(
            {"order_id": order_id, "position": 1, "sku": sku, "name": name, "qty": 1,
             "price_fen": price}
        )  # fmt: skip
        logistics.append(
            {
                "order_id": order_id,
                "courier": "京东物流",
                "courier_code": "JD",
                "tracking_number": f"JDV{order_id[2:]}",
                "status": "delivered" if arrived is not None else "in_transit",
                "eta": None if arrived is not None else now + timedelta(days=1),
            }
        )
        events.append(
            {"order_id": order_id, "time": created + timedelta(hours=20),
             "location": "江苏省昆山市", "description": "【昆山亚洲一号】京东物流 已揽收"}
        )  # fmt: skip
        if arrived is not None:
            events.append(
                {"order_id": order_id, "time": arrived, "location": "上海市浦东新区",
                 "description": "已签收，签收人：本人。感谢使用京东物流"}
            )  # fmt: skip
    visits = [
        _visit(now, "SV20240001", "HP20241402", "assigned", 3, "王建国"),
        _visit(now, "SV20240002", "HP20241405", "done", -29, "李强"),
        _visit(now, "SV20240003", "HP20241406", "booked", 3, None),
    ]
    return {
        "orders": orders,
        "order_items": items,
        "logistics": logistics,
        "tracking_events": events,
        "visits": visits,
    }
