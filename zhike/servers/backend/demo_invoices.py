"""Demo orders and invoices for invoice changes (HP20241101–HP20241199, IV2023110x).

All of C001 张伟, older than the first five demo orders:

* HP20241101 delivered, IV20231101 issued: personal electronic 普票 (title change,
  paper, re-send: all allowed);
* HP20241102 delivered, IV20231102 issued: title already changed once (IC20241101);
* HP20241103 delivered, IV20231103 issued: company electronic 普票, a 专票 candidate;
* HP20241104 paid, IV20231104 requested (not issued yet: re-sending is refused);
* HP20241105 cancelled, IV20231105 void with its order (no change possible);
* HP20241106 delivered, no invoice (a change is offered as a new request).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from zhike.servers.backend.demo_school import DemoData, Row

_ZHANG_ADDRESS = "上海市浦东新区张江镇碧波路 690 弄 8 号 1202 室"
COMPANY = "上海智客科技有限公司"
COMPANY_TAX_NUMBER = "91350100M000100Y43"
OLD_COMPANY = "上海智客信息有限公司"

# order id, status, days ago, sku, name, qty, price (fen)
_ORDERS = (
    ("HP20241101", "delivered", 20, "DL-A4-70G-500", "得力 A4 复印纸 70g 500 张/包", 4, 2590),
    ("HP20241102", "delivered", 25, "MG-GEL-05-12", "晨光 中性笔 0.5mm 黑色 12 支装", 10, 1880),
    ("HP20241103", "delivered", 30, "DL-A4-70G-500", "得力 A4 复印纸 70g 500 张/包", 20, 2590),
    ("HP20241104", "paid", 15, "MG-GEL-05-12", "晨光 中性笔 0.5mm 黑色 12 支装", 2, 1880),
    ("HP20241105", "cancelled", 35, "DL-A4-70G-500", "得力 A4 复印纸 70g 500 张/包", 2, 2590),
    ("HP20241106", "delivered", 40, "MG-GEL-05-12", "晨光 中性笔 0.5mm 黑色 12 支装", 3, 1880),
)

# invoice id, order id, title, tax number, status, title changes
_INVOICES = (
    ("IV20231101", "HP20241101", "个人", None, "issued", 0),
    ("IV20231102", "HP20241102", COMPANY, COMPANY_TAX_NUMBER, "issued", 1),
    ("IV20231103", "HP20241103", COMPANY, COMPANY_TAX_NUMBER, "issued", 0),
    ("IV20231104", "HP20241104", "个人", None, "requested", 0),
    ("IV20231105", "HP20241105", "个人", None, "issued", 0),
)


def invoices_data(now: datetime) -> DemoData:
    """The invoice-change demo rows by table (orders, items, invoices, invoice changes)."""
    day = timedelta(days=1)
    orders: list[Row] = []
    items: list[Row] = []
    for order_id, status, days, sku, name, qty, price in _ORDERS:
        orders.append(
            {
                "id": order_id,
                "customer_id": "C001",
                "status": status,
                "amount_fen": qty * price,
                "recipient": "张伟",
                "phone": "13800138001",
                "shipping_address": _ZHANG_ADDRESS,
                "created_at": now - days * day,
                "updated_at": now - (days - 3) * day,
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
    days_of = {order_id: days for order_id, _, days, *_ in _ORDERS}
    invoices: list[Row] = []
    for invoice_id, order_id, title, tax_number, status, changes in _INVOICES:
        created = now - (days_of[order_id] - 1) * day
        issued = created + day if status == "issued" else None
        invoices.append(
            {
                "id": invoice_id,
                "order_id": order_id,
                "title": title,
                "tax_number": tax_number,
                "type": "electronic_normal",
                "status": status,
                "created_at": created,
                "medium": "electronic",
                "title_changes": changes,
                "issued_at": issued,
                "sent_at": issued,
            }
        )
    before = {"title": OLD_COMPANY, "tax_number": COMPANY_TAX_NUMBER, "type": "electronic_normal"}
    after = {**before, "title": COMPANY}
    change: Row = {
        "id": "IC20241101",
        "invoice_id": "IV20231102",
        "order_id": "HP20241102",
        "kind": "title",
        "before": json.dumps(before, ensure_ascii=False),
        "after": json.dumps(after, ensure_ascii=False),
        "status": "completed",
        "created_at": now - 20 * day,
    }
    return {
        "orders": orders,
        "order_items": items,
        "invoices": invoices,
        "invoice_changes": [change],
    }
