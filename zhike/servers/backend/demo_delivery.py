"""Demo rows of the delivery changes: orders HP20241201-HP20241209 that exercise each rule.

All of C001 张伟 unless noted (created 10-15 days before ``now``, older than the five
orders of :mod:`zhike.servers.backend.demo_shop`, so "my recent orders" is unchanged):

* HP20241201 shipped by 顺丰, in transit: interception accepted with a 10 yuan fee;
  delivery window and receiver phone can change.
* HP20241202 shipped by 中通, out for delivery (派送中): 中通 cannot intercept now; no
  delivery window any more; the receiver phone still changes.
* HP20241203 delivered by 京东物流: nothing can change (return or refund instead); no
  pickup to reschedule.
* HP20241204 paid, not shipped, an air conditioner: no interception (cancel instead); a
  delivery window can be chosen (large appliance).
* HP20241205 refunding (RF20231201, numbered below the seeded RF20240001 so new refunds
  still start at RF20240002) with a return pickup by 京东物流 tomorrow morning.
* HP20241206 shipped by 圆通, in transit (for 李娜 C002 it is another customer's order,
  like HP20240005 of hers is for 张伟).
* HP20241207 shipped by 韵达, in transit: free interception; no delivery window (small
  parcel of a courier without appointments).
* HP20241208 shipped by 顺丰 with an interception DC20241201 still ``requested``.
* HP20241209 shipped by 顺丰 with an interception DC20241202 ``intercepted``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zhike.servers.backend.demo_school import CHINA_TZ, DemoData, Row

_ZHANG = ("张伟", "13800138001", "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室")
_PHONE = ("RM-N13P-8256-BK", "Redmi Note 13 Pro 5G 手机 8GB+256GB 子夜黑", 1, 139900)
_PAPER = ("DL-A4-70G-500", "得力 A4 复印纸 70g 500 张/包", 2, 2590)
_NUTS = ("SZS-NUT-1500", "三只松鼠 每日坚果礼盒 1.5kg", 1, 12800)
_AIRCON = ("GREE-KFR35-YT", "格力 云佳 1.5 匹 新一级能效 变频挂机空调 KFR-35GW", 1, 279900)
_TV = ("HISENSE-65E3K", "海信 65 英寸 4K 智能液晶电视 65E3K", 1, 329900)

# order id, customer, status, age in days, item
_ORDERS = (
    ("HP20241201", "C001", "shipped", 10, _PHONE),
    ("HP20241202", "C001", "shipped", 11, _NUTS),
    ("HP20241203", "C001", "delivered", 12, _TV),
    ("HP20241204", "C001", "paid", 10, _AIRCON),
    ("HP20241205", "C001", "refunding", 14, _PAPER),
    ("HP20241206", "C001", "shipped", 10, _NUTS),
    ("HP20241207", "C001", "shipped", 13, _PAPER),
    ("HP20241208", "C001", "shipped", 15, _NUTS),
    ("HP20241209", "C001", "shipped", 15, _PAPER),
)
# order id, courier, code, tracking number, status, ETA in days (None: no ETA)
_SHIPMENTS = (
    ("HP20241201", "顺丰", "SF", "SF3120241201", "in_transit", 1),
    ("HP20241202", "中通", "ZTO", "ZT3120241202", "out_for_delivery", 0),
    ("HP20241203", "京东物流", "JD", "JD3120241203", "delivered", None),
    ("HP20241205", "韵达", "YD", "YD3120241205", "delivered", None),
    ("HP20241206", "圆通", "YTO", "YT3120241206", "in_transit", 2),
    ("HP20241207", "韵达", "YD", "YD3120241207", "in_transit", 2),
    ("HP20241208", "顺丰", "SF", "SF3120241208", "in_transit", 1),
    ("HP20241209", "顺丰", "SF", "SF3120241209", "returning", None),
)


def _order_rows(now: datetime) -> tuple[list[Row], list[Row]]:
    orders: list[Row] = []
    items: list[Row] = []
    for order_id, customer_id, status, age, (sku, name, qty, price) in _ORDERS:
        recipient, phone, address = _ZHANG
        created = now - timedelta(days=age)
        orders.append(
            {
                "id": order_id,
                "customer_id": customer_id,
                "status": status,
                "amount_fen": qty * price,
                "recipient": recipient,
                "phone": phone,
                "shipping_address": address,
                "created_at": created,
                "updated_at": created + timedelta(days=1),
            }
        )
        items.append(
            {
                "order_id": order_id,
                "position": 1,
                "sku": sku,
                "name": name,
                "qty": qty,
                "price_fen": price,
            }
        )
    return orders, items


def _shipment_rows(now: datetime) -> tuple[list[Row], list[Row]]:
    logistics: list[Row] = []
    events: list[Row] = []
    for order_id, courier, code, number, status, eta in _SHIPMENTS:
        logistics.append(
            {
                "order_id": order_id,
                "courier": courier,
                "courier_code": code,
                "tracking_number": number,
                "status": status,
                "eta": None if eta is None else now + timedelta(days=eta, hours=4),
            }
        )
        steps = [(72.0, f"【仓库】{courier} 已揽收"), (30.0, "快件已到达【上海转运中心】")]
        if status == "out_for_delivery":
            steps.append((2.0, f"【张江营业点】{courier}快递员 正在派件"))
        if status == "delivered":
            steps.append((48.0 - 30, "已签收，签收人：本人"))
        if status == "returning":
            steps.append((5.0, "快件已拦截，正在退回寄件人"))
        events += [
            {
                "order_id": order_id,
                "time": now - timedelta(hours=hours),
                "location": "上海市",
                "description": text,
            }
            for hours, text in steps
        ]
    return logistics, events


def delivery_data(now: datetime) -> DemoData:
    """The delivery-change demo rows by table (see the module docstring)."""
    orders, items = _order_rows(now)
    logistics, events = _shipment_rows(now)
    tomorrow = (now.astimezone(CHINA_TZ) + timedelta(days=1)).date().isoformat()
    day = timedelta(days=1)
    return {
        "orders": orders,
        "order_items": items,
        "logistics": logistics,
        "tracking_events": events,
        "refunds": [
            {
                "id": "RF20231201",
                "order_id": "HP20241205",
                "amount_fen": 2 * 2590,
                "reason": "复印纸受潮，申请退货",
                "status": "approved",
                "created_at": now - 2 * day,
                "updated_at": now - day,
            }
        ],
        "return_pickups": [
            {
                "id": 1,
                "refund_id": "RF20231201",
                "order_id": "HP20241205",
                "courier": "京东物流",
                "pickup_date": tomorrow,
                "pickup_slot": "am",
                "status": "scheduled",
                "created_at": now - day,
                "updated_at": now - day,
            }
        ],
        "delivery_changes": [
            {
                "id": "DC20241201",
                "order_id": "HP20241208",
                "kind": "intercept",
                "status": "requested",
                "fee_fen": 1000,
                "note": "顺丰拦截需支付服务费 10.00 元，从退款中扣除",
                "created_at": now - timedelta(hours=3),
                "updated_at": now - timedelta(hours=3),
            },
            {
                "id": "DC20241202",
                "order_id": "HP20241209",
                "kind": "intercept",
                "status": "intercepted",
                "fee_fen": 1000,
                "note": "包裹已拦截，正在退回仓库",
                "created_at": now - 2 * day,
                "updated_at": now - timedelta(hours=5),
            },
        ],
    }
