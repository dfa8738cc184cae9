"""Demo data of 价保 (price protection) and contacts: orders HP20241001–HP20241005 of C001.

See :mod:`zhike.servers.backend.demo_data` for the conventions. Each order exercises one
rule of :mod:`zhike.servers.backend.services.price_protection` (windows: 京选自营 7
days, the third-party shops below 15, counted from the order):

* HP20241001 (6.5 days, 京选自营, delivered): vivo X100 bought at ¥4299, now ¥3999 at a
  regular price -> eligible, ¥300 back; its phone case (闪魔数码专营店) did not drop.
* HP20241002 (12 days, 京选自营, delivered): 小米手环 8 dropped, but out of the 7-day window.
* HP20241003 (10 days, 索尼官方旗舰店, delivered): the headphones' lower price is a
  flash sale (秒杀) -> excluded.
* HP20241004 (11 days, 罗技官方旗舰店, delivered): the mouse's price has not dropped (a
  PLUS price exists but is not the current price).
* HP20241005 (13 days, 闪魔数码专营店, delivered): the same phone case is cheaper only at
  another shop (优品配件店) -> not compared, no drop.

Contacts: the courier of HP20240001 (顺丰, in transit) is 王师傅 with a virtual number;
every shop of the demo catalogue has a service channel, hours and phone.

The orders are older than C001's existing ones where the rules allow, so "my recent
orders" still shows those.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from zhike.servers.backend.demo_school import DemoData, Row

SELF = "京选自营"
_ADDRESS = "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室"

# sku, name, category, brand, seller, current price (fen), spec.
_PRODUCTS: list[tuple[str, str, str, str, str, int, dict[str, str]]] = [
    ("VIVO-X100-16512", "vivo X100 5G 手机 16GB+512GB 星迹蓝", "phone", "vivo", SELF, 399900,
     {"内存": "16GB+512GB", "颜色": "星迹蓝", "网络": "5G"}),
    ("PP-CASE-X100", "vivo X100 手机壳 磨砂黑", "accessory", "闪魔", "闪魔数码专营店", 3900,
     {"适用机型": "vivo X100", "颜色": "磨砂黑"}),
    ("PP-CASE-X100-YP", "vivo X100 手机壳 磨砂黑", "accessory", "闪魔", "优品配件店", 1900,
     {"适用机型": "vivo X100", "颜色": "磨砂黑"}),
    ("MI-BAND8-BK", "小米手环 8 黑色", "digital", "小米", SELF, 19900,
     {"屏幕": "1.62 英寸 AMOLED", "续航": "16 天"}),
    ("SONY-WH1000XM5", "索尼 WH-1000XM5 无线降噪耳机 黑色", "digital", "索尼",
     "索尼官方旗舰店", 199900, {"类型": "头戴式", "降噪": "主动降噪"}),
    ("LOGI-MX3S-GR", "罗技 MX Master 3S 无线鼠标 石墨黑", "digital", "罗技",
     "罗技官方旗舰店", 69900, {"连接": "蓝牙/Bolt 接收器", "DPI": "8000"}),
]  # fmt: skip

# order id, age (days), status, [(sku, qty, price paid)].
_ORDERS: list[tuple[str, float, str, list[tuple[str, int, int]]]] = [
    ("HP20241001", 6.5, "delivered", [("VIVO-X100-16512", 1, 429900), ("PP-CASE-X100", 1, 3900)]),
    ("HP20241002", 12, "delivered", [("MI-BAND8-BK", 1, 24900)]),
    ("HP20241003", 10, "delivered", [("SONY-WH1000XM5", 1, 249900)]),
    ("HP20241004", 11, "delivered", [("LOGI-MX3S-GR", 1, 69900)]),
    ("HP20241005", 13, "delivered", [("PP-CASE-X100", 2, 3900)]),
]

# seller, self-operated, channel, hours, phone, 价保 window (days).
_SELLERS: list[tuple[str, bool, str, str, str | None, int]] = [
    (SELF, True, "京选客服（就在当前对话）", "智能客服 24 小时在线，人工客服每天 9:00–21:00",
     None, 7),
    ("闪魔数码专营店", False, "店铺客服（订单页「联系卖家」）", "每天 9:00–22:00",
     "400-820-1234", 15),
    ("优品配件店", False, "店铺客服（订单页「联系卖家」）", "每天 9:00–18:00", "021-5080-6789", 15),
    ("三只松鼠旗舰店", False, "店铺客服（订单页「联系卖家」）", "每天 8:30–23:00",
     "400-661-7898", 0),
    ("索尼官方旗舰店", False, "店铺客服（订单页「联系卖家」）", "每天 9:00–21:00",
     "400-810-9000", 15),
    ("罗技官方旗舰店", False, "店铺客服（订单页「联系卖家」）", "工作日 9:00–18:00",
     "400-820-0338", 15),
    ("安踏官方旗舰店", False, "店铺客服（订单页「联系卖家」）", "每天 9:00–24:00",
     "400-888-6688", 15),
]  # fmt: skip


def _orders(now: datetime) -> dict[str, list[Row]]:
    names = {sku: name for sku, name, *_ in _PRODUCTS}
    orders: list[Row] = []
    items: list[Row] = []
    logistics: list[Row] = []
    events: list[Row] = []
    for number, (order_id, age, status, lines) in enumerate(_ORDERS, start=1):
        created = now - timedelta(days=age)
        for position, (sku, qty, price) in enumerate(lines, start=1):
            items.append(
                {"order_id": order_id, "position": position, "sku": sku, "name": names[sku],
                 "qty": qty, "price_fen": price}
            )  # fmt: skip
        orders.append(
            {
                "id": order_id,
                "customer_id": "C001",
                "status": status,
                "amount_fen": sum(qty * price for _, qty, price in lines),
                "recipient": "张伟",
                "phone": "13800138001",
                "shipping_address": _ADDRESS,
                "created_at": created,
                "updated_at": created + timedelta(days=3),
            }
        )
        logistics.append(
            {"order_id": order_id, "courier": "顺丰", "courier_code": "SF",
             "tracking_number": f"SF88{number:02d}1000{number}", "status": "delivered", "eta": None}
        )  # fmt: skip
        events += [
            {"order_id": order_id, "time": created + timedelta(hours=20),
             "location": "江苏省苏州市", "description": "【苏州市】顺丰速运 已收取快件"},
            {"order_id": order_id, "time": created + timedelta(days=2, hours=3),
             "location": "上海市浦东新区", "description": "已签收，签收人：本人"},
        ]  # fmt: skip
    return {
        "orders": orders,
        "order_items": items,
        "logistics": logistics,
        "tracking_events": events,
    }


def _price_events(now: datetime) -> list[Row]:
    day = timedelta(days=1)
    rows = [
        ("VIVO-X100-16512", "regular", "", 429900, now - 40 * day, now - 3 * day),
        ("VIVO-X100-16512", "regular", "官方调价", 399900, now - 3 * day, None),
        ("MI-BAND8-BK", "regular", "", 24900, now - 60 * day, now - 5 * day),
        ("MI-BAND8-BK", "regular", "官方调价", 19900, now - 5 * day, None),
        ("SONY-WH1000XM5", "regular", "", 249900, now - 90 * day, None),
        ("SONY-WH1000XM5", "flash_sale", "限时秒杀", 199900, now - timedelta(hours=2),
         now + timedelta(hours=22)),
        ("LOGI-MX3S-GR", "regular", "", 69900, now - 90 * day, None),
        ("LOGI-MX3S-GR", "plus_price", "PLUS 会员专享价", 65900, now - 2 * day, now + 5 * day),
    ]  # fmt: skip
    return [
        {"sku": sku, "kind": kind, "label": label, "price_fen": price, "starts_at": start,
         "ends_at": end}
        for sku, kind, label, price, start, end in rows
    ]  # fmt: skip


def price_protection_data(now: datetime) -> DemoData:
    """The rows of this module's orders, products, price events, couriers and shops."""
    data = _orders(now)
    data["products"] = [
        {
            "sku": sku,
            "name": name,
            "category": category,
            "brand": brand,
            "seller": seller,
            "price_fen": price,
            "stock": 100,
            "return_days": 7,
            "exchange_days": 15,
            "warranty_days": 365,
            "installable": False,
            "spec": json.dumps(spec, ensure_ascii=False),
            "updated_at": now - timedelta(days=1),
        }
        for sku, name, category, brand, seller, price, spec in _PRODUCTS
    ]
    data["price_events"] = _price_events(now)
    data["price_protections"] = []
    data["courier_contacts"] = [
        {
            "order_id": "HP20240001",
            "name": "王师傅",
            "phone": "13812345678",
            "virtual_number": "17012345678",
            "extension": "4321",
            "station": "顺丰上海张江营业点",
            "stage": "transit",
            "updated_at": now - timedelta(hours=2),
        },
        {
            "order_id": "HP20240005",
            "name": "刘师傅",
            "phone": "13698765432",
            "virtual_number": None,
            "extension": None,
            "station": "中通北京建国门网点",
            "stage": "transit",
            "updated_at": now - timedelta(hours=6),
        },
    ]
    data["seller_contacts"] = [
        {"seller": seller, "self_operated": own, "channel": channel, "hours": hours,
         "phone": phone, "price_protection_days": days}
        for seller, own, channel, hours, phone, days in _SELLERS
    ]  # fmt: skip
    return data
