"""The exchange (换货) and disputed-return demo rows: orders HP20241301-HP20241306 of 张伟.

See :mod:`zhike.servers.backend.demo_data` for the conventions. Each order exercises one
rule of :mod:`zhike.servers.backend.services.exchanges`:

* HP20241301 安踏 running shoes, black 42, delivered 5 days ago: a size exchange to 43
  (in stock) or white 42 (colour) works; 44 is out of stock.
* HP20241302 安踏 running shoes, black 43, delivered 20 days ago: past the 15-day window.
* HP20241303 三只松鼠 nuts, delivered 3 days ago: food, ``exchange_days`` 0.
* HP20241304 美的 kettle, delivered 4 days ago: a defect exchange (the same SKU).
* HP20241305 李宁 T-shirt L, exchange EX20241301 to XL picked up and reshipped (顺丰).
* HP20241306 飞利浦 shaver, refund RF20231301 rejected after inspection (质检不通过): the
  customer disputes it. (Its id lies below the allocation floor, so new refunds still
  start at RF20240002.)

The orders are older than the five base orders so "my latest orders" stays as it was.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from zhike.servers.backend.demo_school import CHINA_TZ, DemoData, Row

_ADDRESS = "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室"
SHOP = "安踏官方旗舰店"

# sku, name, category, brand, seller, price (fen), stock, exchange days, spec.
_PRODUCTS: list[tuple[str, str, str, str, str, int, int, int, dict[str, str]]] = [
    ("ANTA-RUN-BK-44", "安踏 男子跑步鞋 黑色 44 码", "clothing", "安踏", SHOP, 29900, 0, 15,
     {"颜色": "黑色", "尺码": "44"}),
    ("ANTA-RUN-WH-42", "安踏 男子跑步鞋 白色 42 码", "clothing", "安踏", SHOP, 29900, 18, 15,
     {"颜色": "白色", "尺码": "42"}),
    ("LINING-TEE-WH-L", "李宁 男子速干 T 恤 白色 L 码", "clothing", "李宁", "李宁官方旗舰店",
     9900, 40, 15, {"颜色": "白色", "尺码": "L"}),
    ("LINING-TEE-WH-XL", "李宁 男子速干 T 恤 白色 XL 码", "clothing", "李宁", "李宁官方旗舰店",
     9900, 25, 15, {"颜色": "白色", "尺码": "XL"}),
    ("MIDEA-KETTLE-15", "美的 电热水壶 1.5L 304 不锈钢 SH15", "appliance", "美的", "京选自营",
     8900, 50, 15, {"容量": "1.5L", "功率": "1800W", "材质": "304 不锈钢"}),
    ("PHILIPS-S3203", "飞利浦 电动剃须刀 S3203", "appliance", "飞利浦", "京选自营",
     39900, 30, 15, {"刀头": "三刀头", "续航": "60 分钟"}),
]  # fmt: skip

# sku, family, colour, size.
_VARIANTS = [
    ("ANTA-RUN-BK-42", "ANTA-RUN", "黑色", "42"),
    ("ANTA-RUN-BK-43", "ANTA-RUN", "黑色", "43"),
    ("ANTA-RUN-BK-44", "ANTA-RUN", "黑色", "44"),
    ("ANTA-RUN-WH-42", "ANTA-RUN", "白色", "42"),
    ("LINING-TEE-WH-L", "LINING-TEE", "白色", "L"),
    ("LINING-TEE-WH-XL", "LINING-TEE", "白色", "XL"),
]

# order id, sku, name, price, days since ordered, days since delivered, courier, number.
_ORDERS = [
    ("HP20241301", "ANTA-RUN-BK-42", "安踏 男子跑步鞋 黑色 42 码", 29900, 10, 5, "韵达", "YD",
     "YD1301000000001"),
    ("HP20241302", "ANTA-RUN-BK-43", "安踏 男子跑步鞋 黑色 43 码", 29900, 25, 20, "韵达", "YD",
     "YD1302000000002"),
    ("HP20241303", "SZS-NUT-1500", "三只松鼠 每日坚果礼盒 1.5kg", 12800, 11, 3, "中通", "ZTO",
     "ZT1303000000003"),
    ("HP20241304", "MIDEA-KETTLE-15", "美的 电热水壶 1.5L 304 不锈钢 SH15", 8900, 12, 4,
     "京东快递", "JD", "JD1304000000004"),
    ("HP20241305", "LINING-TEE-WH-L", "李宁 男子速干 T 恤 白色 L 码", 9900, 14, 8, "圆通", "YTO",
     "YT1305000000005"),
    ("HP20241306", "PHILIPS-S3203", "飞利浦 电动剃须刀 S3203", 39900, 16, 9, "京东快递", "JD",
     "JD1306000000006"),
]  # fmt: skip


def _products(now: datetime) -> list[Row]:
    return [
        {
            "sku": sku,
            "name": name,
            "category": category,
            "brand": brand,
            "seller": seller,
            "price_fen": price,
            "stock": stock,
            "return_days": 0 if category == "food" else 7,
            "exchange_days": exchange_days,
            "warranty_days": 365 if category == "appliance" else 0,
            "installable": False,
            "spec": json.dumps(spec, ensure_ascii=False),
            "updated_at": now - timedelta(days=1),
        }
        for sku, name, category, brand, seller, price, stock, exchange_days, spec in _PRODUCTS
    ]


def _orders(now: datetime) -> DemoData:
    day, hour = timedelta(days=1), timedelta(hours=1)
    data: DemoData = {"orders": [], "order_items": [], "logistics": [], "tracking_events": []}
    for order_id, sku, name, price, age, delivered, courier, code, number in _ORDERS:
        arrived = now - delivered * day - 2 * hour
        data["orders"].append(
            {
                "id": order_id,
                "customer_id": "C001",
                "status": "delivered",
                "amount_fen": price,
                "recipient": "张伟",
                "phone": "13800138001",
                "shipping_address": _ADDRESS,
                "created_at": now - age * day,
                "updated_at": arrived,
            }
        )
        data["order_items"].append(
            {"order_id": order_id, "position": 1, "sku": sku, "name": name, "qty": 1,
             "price_fen": price}
        )  # fmt: skip
        data["logistics"].append(
            {"order_id": order_id, "courier": courier, "courier_code": code,
             "tracking_number": number, "status": "delivered", "eta": None}
        )  # fmt: skip
        data["tracking_events"] += [
            {"order_id": order_id, "time": arrived - 2 * day, "location": "浙江省杭州市",
             "description": f"【杭州市】{courier} 已揽收"},
            {"order_id": order_id, "time": arrived, "location": "上海市浦东新区",
             "description": "已签收，签收人：本人"},
        ]  # fmt: skip
    return data


def exchanges_data(now: datetime) -> DemoData:
    """The products, variants, orders, shipments, exchange and refund of the module docstring."""
    data = _orders(now)
    day = timedelta(days=1)
    pickup = (now - 3 * day).astimezone(CHINA_TZ).date().isoformat()
    data["products"] = _products(now)
    data["product_variants"] = [
        {"sku": sku, "family": family, "colour": colour, "size": size}
        for sku, family, colour, size in _VARIANTS
    ]
    data["exchanges"] = [
        {
            "id": "EX20241301",
            "order_id": "HP20241305",
            "sku": "LINING-TEE-WH-L",
            "new_sku": "LINING-TEE-WH-XL",
            "quantity": 1,
            "reason": "size",
            "note": "L 码偏小，换 XL",
            "status": "reshipped",
            "pickup_date": pickup,
            "pickup_slot": "09:00-12:00",
            "courier": "顺丰",
            "tracking_number": "SF7700112233",
            "created_at": now - 4 * day,
            "updated_at": now - day,
        }
    ]
    data["refunds"] = [
        {
            "id": "RF20231301",
            "order_id": "HP20241306",
            "amount_fen": 39900,
            "reason": "七天无理由退货",
            "status": "rejected",
            "created_at": now - 7 * day,
            "updated_at": now - 2 * day,
        }
    ]
    data["dispute_evidence"] = []
    return data
