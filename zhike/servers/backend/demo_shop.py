"""The e-commerce half of the demo data set: orders, items, shipments, tracking events.

See :mod:`zhike.servers.backend.demo_data` for the conventions.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from zhike.servers.backend.demo_school import CHINA_TZ, Row

_ZHANG_ADDRESS = "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室"
_LI_ADDRESS = "北京市朝阳区建国路 93 号万达广场 B 座 1505 室"


def _moment(now: datetime, when: float | str) -> datetime:
    """``when`` is hours before ``now``, or ``"D HH:MM"``: D days earlier at HH:MM China time."""
    if isinstance(when, str):
        days, clock = when.split()
        hour, minute = (int(part) for part in clock.split(":"))
        local = now.astimezone(CHINA_TZ) - timedelta(days=int(days))
        return local.replace(hour=hour, minute=minute, second=0).astimezone(timezone.utc)
    return now - timedelta(hours=when)


def _events(order_id: str, now: datetime, rows: list[tuple[float | str, str, str]]) -> list[Row]:
    return [
        {"order_id": order_id, "time": _moment(now, when), "location": place, "description": text}
        for when, place, text in rows
    ]


def orders_data(now: datetime) -> tuple[list[Row], list[Row]]:
    """The five demo orders and their item rows."""
    day = timedelta(days=1)
    specs: list[tuple[str, str, str, timedelta, list[tuple[str, str, int, int]]]] = [
        (
            "HP20240001",
            "C001",
            "shipped",
            3 * day,
            [
                ("RM-N13P-8256-BK", "Redmi Note 13 Pro 5G 手机 8GB+256GB 子夜黑", 1, 139900),
                ("GLASS-N13P-2", "Redmi Note 13 Pro 钢化膜（2 片装）", 2, 1990),
            ],
        ),
        (
            "HP20240002",
            "C001",
            "delivered",
            6 * day,
            [
                ("DL-A4-70G-500", "得力 A4 复印纸 70g 500 张/包", 5, 2590),
                ("MG-GEL-05-12", "晨光 中性笔 0.5mm 黑色 12 支装", 1, 1880),
            ],
        ),
        (
            "HP20240003",
            "C001",
            "paid",
            1 * day,
            [
                ("HG-PT-L-58", "好奇 铂金装 纸尿裤 L 码 58 片", 2, 16900),
            ],
        ),
        (
            "HP20240004",
            "C001",
            "refunding",
            9 * day,
            [
                ("JY-L18-P396", "九阳 破壁料理机 L18-P396", 1, 59900),
            ],
        ),
        (
            "HP20240005",
            "C002",
            "shipped",
            2 * day,
            [
                ("SZS-NUT-1500", "三只松鼠 每日坚果礼盒 1.5kg", 2, 12800),
                ("SZS-MANGO-100", "三只松鼠 芒果干 100g", 3, 990),
            ],
        ),
    ]
    customers = {
        "C001": ("张伟", "13800138001", _ZHANG_ADDRESS),
        "C002": ("李娜", "13900139002", _LI_ADDRESS),
    }
    orders: list[Row] = []
    items: list[Row] = []
    for order_id, customer_id, status, age, lines in specs:
        name, phone, address = customers[customer_id]
        for position, (sku, title, qty, price) in enumerate(lines, start=1):
            items.append(
                {
                    "order_id": order_id,
                    "position": position,
                    "sku": sku,
                    "name": title,
                    "qty": qty,
                    "price_fen": price,
                }
            )
        orders.append(
            {
                "id": order_id,
                "customer_id": customer_id,
                "status": status,
                "amount_fen": sum(qty * price for _, _, qty, price in lines),
                "recipient": name,
                "phone": phone,
                "shipping_address": address,
                "created_at": now - age,
                "updated_at": now - age / 3,
            }
        )
    return orders, items


def logistics_data(now: datetime) -> tuple[list[Row], list[Row]]:
    """Shipments of the shipped and delivered orders, and their tracking events."""
    day = timedelta(days=1)
    logistics: list[Row] = [
        {
            "order_id": "HP20240001",
            "courier": "顺丰",
            "courier_code": "SF",
            "tracking_number": "SF1234567890",
            "status": "in_transit",
            "eta": now + day,
        },
        {
            "order_id": "HP20240002",
            "courier": "韵达",
            "courier_code": "YD",
            "tracking_number": "YD4321098765432",
            "status": "delivered",
            "eta": None,
        },
        {
            "order_id": "HP20240004",
            "courier": "圆通",
            "courier_code": "YTO",
            "tracking_number": "YT7654321098765",
            "status": "delivered",
            "eta": None,
        },
        {
            "order_id": "HP20240005",
            "courier": "中通",
            "courier_code": "ZTO",
            "tracking_number": "ZT9876543210",
            "status": "in_transit",
            "eta": now + 2 * day,
        },
    ]
    events = _events(
        "HP20240001",
        now,
        [
            (50, "广东省深圳市", "【深圳市】顺丰速运 已收取快件"),
            (44, "广东省深圳市", "快件已到达【深圳华南航空枢纽】"),
            (30, "广东省深圳市", "快件已从【深圳华南航空枢纽】发出，准备发往【上海浦东中转场】"),
            (8, "上海市浦东新区", "快件已到达【上海浦东中转场】"),
            (2, "上海市浦东新区", "快件已从【上海浦东中转场】发出，正在发往【张江营业点】"),
        ],
    )
    events += _events(
        "HP20240002",
        now,
        [
            ("5 17:30", "浙江省义乌市", "【义乌市】韵达快递 已揽收"),
            ("4 02:10", "浙江省金华市", "快件已到达【金华分拨中心】"),
            ("4 21:45", "上海市", "快件已到达【上海分拨中心】"),
            ("2 08:20", "上海市浦东新区", "【张江营业点】快递员 王师傅 正在派件，电话 13512345678"),
            (
                "2 11:05",
                "上海市浦东新区",
                "已签收，签收人：本人。感谢使用韵达快递，期待再次为您服务",
            ),
        ],
    )
    events += _events(
        "HP20240004",
        now,
        [
            ("8 16:40", "广东省佛山市", "【佛山市】圆通速递 已揽收"),
            ("7 05:30", "上海市", "快件已到达【上海转运中心】"),
            ("7 14:20", "上海市浦东新区", "已签收，签收人：本人"),
        ],
    )
    events += _events(
        "HP20240005",
        now,
        [
            (40, "安徽省芜湖市", "【芜湖市】中通快递 已揽收"),
            (30, "安徽省芜湖市", "快件已从【芜湖转运中心】发出，准备发往【北京转运中心】"),
            (6, "北京市", "快件已到达【北京转运中心】"),
        ],
    )
    return logistics, events
