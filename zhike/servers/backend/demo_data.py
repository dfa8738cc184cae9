"""The demo data set, as plain Python data, shared by the seed and the in-memory client.

One definition serves both :mod:`zhike.servers.backend.seed` (which writes it into the database)
and :class:`zhike.lib.backend_client.fake.InMemoryBackendClient`, so the real backend and the
fake used by unit tests always agree. Tests and the README rely on these records:

* C001 张伟 13800138001 (VIP): HP20240001 shipped by 顺丰 SF1234567890 and in transit;
  HP20240002 delivered (已签收) two days before ``now``, so still refundable, with invoice
  IV20240001; HP20240003 paid, not shipped; HP20240004 refunding (RF20240001).
* C002 李娜 13900139002: HP20240005 shipped by 中通 ZT9876543210.
* Student S001 张小明 (parent C001) in 初二数学（秋季班） (王老师) and 英语阅读提高班 (陈老师),
  weekly lessons whose next ones lie in the future relative to ``now``; student S002
  李小雨 (parent C002) in 英语阅读提高班.
* Tickets TK20240001 (C001, closed) and TK20240002 (C002, open).

Times are timezone-aware UTC ``datetime`` objects computed relative to ``now``. Every row
is a ``dict`` whose keys are the attribute names of the matching model in
:mod:`zhike.servers.backend.models`; children point to their parents by id. Amounts are integers
in fen (1 yuan = 100 fen).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from zhike.servers.backend.demo_catalog import catalog_data
from zhike.servers.backend.demo_delivery import delivery_data
from zhike.servers.backend.demo_exchanges import exchanges_data
from zhike.servers.backend.demo_invoices import invoices_data
from zhike.servers.backend.demo_presales import presales_data
from zhike.servers.backend.demo_price_protection import price_protection_data
from zhike.servers.backend.demo_school import CHINA_TZ, DemoData, Row, school_data
from zhike.servers.backend.demo_shop import logistics_data, orders_data
from zhike.servers.backend.demo_visits import visits_data

__all__ = ["CHINA_TZ", "TABLES", "DemoData", "Row", "build_demo_data"]

# The demo rows of each after-sales capability (its own module, e.g. demo_price_protection),
# merged into the data set: functions of ``now`` returning rows by table name. A capability
# with tables of its own appends them to TABLES (after their parents).
EXTENSIONS: tuple[Callable[[datetime], DemoData], ...] = ()
EXTENSIONS += (presales_data,)
EXTENSIONS += (price_protection_data,)
EXTENSIONS += (visits_data,)
EXTENSIONS += (exchanges_data,)
EXTENSIONS += (invoices_data,)
EXTENSIONS += (delivery_data,)

# Insertion order: parents before children.
TABLES: tuple[str, ...] = (
    "products",
    "customers",
    "orders",
    "order_items",
    "logistics",
    "tracking_events",
    "refunds",
    "invoices",
    "invoice_changes",
    "students",
    "courses",
    "enrollments",
    "lessons",
    "lesson_requests",
    "tickets",
    "shipping_regions",
    "shipping_rules",
    "product_keywords",
    "product_restocks",
    "visits",
)
TABLES += ("price_events", "price_protections", "courier_contacts", "seller_contacts")
TABLES += ("product_variants", "exchanges", "dispute_evidence")  # demo_exchanges
TABLES += ("delivery_changes", "return_pickups")


def build_demo_data(now: datetime | None = None) -> DemoData:
    """Builds the demo data set with times relative to ``now``.

    Args:
        now: the reference moment (aware; naive is taken as UTC). Defaults to the
            current time.

    Returns:
        A mapping from table name (see :data:`TABLES`) to a list of row dicts.
    """
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    now = now.astimezone(timezone.utc).replace(microsecond=0)
    orders, items = orders_data(now)
    logistics, events = logistics_data(now)
    data: DemoData = {
        "customers": [
            {
                "id": "C001",
                "name": "张伟",
                "phone": "13800138001",
                "vip": True,
                "course_notifications": True,
                "created_at": now - timedelta(days=400),
            },
            {
                "id": "C002",
                "name": "李娜",
                "phone": "13900139002",
                "vip": False,
                "course_notifications": True,
                "created_at": now - timedelta(days=90),
            },
        ],
        "orders": orders,
        "order_items": items,
        "logistics": logistics,
        "tracking_events": events,
        "refunds": [
            {
                "id": "RF20240001",
                "order_id": "HP20240004",
                "amount_fen": 59900,
                "reason": "商品质量问题：料理机运转时有异响",
                "status": "processing",
                "created_at": now - timedelta(days=2),
                "updated_at": now - timedelta(days=1),
            },
        ],
        "invoices": [
            {
                "id": "IV20240001",
                "order_id": "HP20240002",
                "title": "张伟",
                "tax_number": None,
                "type": "electronic_normal",
                "status": "issued",
                "created_at": now - timedelta(days=1),
            },
        ],
        "tickets": [
            {
                "id": "TK20240001",
                "customer_id": "C001",
                "category": "logistics",
                "summary": "询问订单 HP20240002 的配送进度",
                "status": "closed",
                "channel": "web",
                "created_at": now - timedelta(days=4),
                "updated_at": now - timedelta(days=2),
            },
            {
                "id": "TK20240002",
                "customer_id": "C002",
                "category": "order",
                "summary": "询问订单 HP20240005 能否开具发票",
                "status": "open",
                "channel": "wechat",
                "created_at": now - timedelta(days=1),
                "updated_at": now - timedelta(days=1),
            },
        ],
    }
    data.update(school_data(now))
    data["products"] = catalog_data(now)
    for extension in EXTENSIONS:
        for table, rows in extension(now).items():
            data.setdefault(table, []).extend(rows)
    return {table: data[table] for table in TABLES}
