"""The pre-sales demo data: regions, fee rules, search keywords, a restock, one product.

The product is a tissue pack (for "买两包纸包邮吗").

See :mod:`zhike.servers.backend.services.presales` for the rules these rows feed. The
platform's warehouse is in 上海: 江浙沪 次日达, 新疆/西藏 5–8 days; 港澳台 not served.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from zhike.servers.backend.demo_school import DemoData

SELF = "京选自营"

# name, places inside it, days min, days max, remote, delivered.
_REGIONS: list[tuple[str, tuple[str, ...], int, int, bool, bool]] = [
    ("上海", ("江浙沪", "浦东"), 1, 1, False, True),
    ("江苏", ("南京", "苏州", "无锡", "常州", "南通", "徐州", "扬州"), 1, 1, False, True),
    ("浙江", ("杭州", "宁波", "温州", "绍兴", "嘉兴", "金华", "义乌"), 1, 1, False, True),
    ("安徽", ("合肥", "芜湖"), 1, 2, False, True),
    ("北京", (), 2, 3, False, True),
    ("天津", (), 2, 3, False, True),
    ("河北", ("石家庄", "保定", "唐山"), 2, 3, False, True),
    ("山东", ("济南", "青岛", "烟台"), 2, 3, False, True),
    ("河南", ("郑州", "洛阳"), 2, 3, False, True),
    ("湖北", ("武汉", "宜昌"), 2, 3, False, True),
    ("湖南", ("长沙", "株洲"), 2, 3, False, True),
    ("江西", ("南昌", "赣州"), 2, 3, False, True),
    ("福建", ("福州", "厦门", "泉州"), 2, 3, False, True),
    ("广东", ("广州", "深圳", "东莞", "佛山", "珠海"), 2, 3, False, True),
    ("山西", ("太原", "大同"), 3, 4, False, True),
    ("陕西", ("西安", "咸阳"), 3, 4, False, True),
    ("重庆", (), 3, 4, False, True),
    ("四川", ("成都", "绵阳", "乐山"), 3, 4, False, True),
    ("贵州", ("贵阳", "遵义"), 3, 4, False, True),
    ("云南", ("昆明", "大理", "丽江"), 3, 4, False, True),
    ("广西", ("南宁", "桂林", "柳州"), 3, 4, False, True),
    ("海南", ("海口", "三亚"), 3, 5, False, True),
    ("辽宁", ("沈阳", "大连"), 3, 4, False, True),
    ("吉林", ("长春",), 3, 4, False, True),
    ("黑龙江", ("哈尔滨", "大庆"), 3, 5, False, True),
    ("内蒙古", ("呼和浩特", "包头"), 4, 6, True, True),
    ("甘肃", ("兰州", "敦煌"), 4, 6, True, True),
    ("宁夏", ("银川",), 4, 6, True, True),
    ("青海", ("西宁",), 4, 6, True, True),
    ("新疆", ("乌鲁木齐", "喀什", "伊犁", "克拉玛依"), 5, 8, True, True),
    ("西藏", ("拉萨", "日喀则", "林芝"), 5, 8, True, True),
    ("香港", (), 0, 0, False, False),
    ("澳门", (), 0, 0, False, False),
    ("台湾", ("台北",), 0, 0, False, False),
]

# seller, base fee, free over (None: never free), remote extra, extra days (fen, days).
_RULES: list[tuple[str, int, int | None, int, int]] = [
    (SELF, 600, 9900, 1000, 0),
    ("闪魔数码专营店", 0, None, 1000, 1),
    ("三只松鼠旗舰店", 800, 4900, 1000, 1),
    ("安踏官方旗舰店", 0, None, 0, 1),
]

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "RM-N13P-8256-BK": ("手机", "红米", "小米"),
    "GLASS-N13P-2": ("钢化膜", "贴膜", "手机膜", "膜"),
    "DL-A4-70G-500": ("复印纸", "打印纸", "a4纸"),
    "MG-GEL-05-12": ("中性笔", "签字笔", "水笔"),
    "HG-PT-L-58": ("纸尿裤", "尿不湿", "尿裤"),
    "JY-L18-P396": ("破壁机", "料理机", "榨汁机"),
    "SZS-NUT-1500": ("坚果", "每日坚果"),
    "SZS-MANGO-100": ("芒果干",),
    "GREE-KFR35-YT": ("空调", "挂机"),
    "HISENSE-65E3K": ("电视", "彩电"),
    "ANTA-RUN-BK-42": ("跑鞋", "跑步鞋", "运动鞋"),
    "ANTA-RUN-BK-43": ("跑鞋", "跑步鞋", "运动鞋"),
    "VINDA-3L-100-6": ("纸", "纸巾", "抽纸", "面巾纸"),
}

_TISSUE = {
    "sku": "VINDA-3L-100-6",
    "name": "维达 超韧抽纸 3 层 100 抽 × 6 包",
    "category": "baby",
    "brand": "维达",
    "seller": SELF,
    "price_fen": 1990,
    "stock": 900,
    "return_days": 7,
    "exchange_days": 15,
    "warranty_days": 0,
    "installable": False,
    "spec": json.dumps({"层数": "3 层", "抽数": "100 抽", "数量": "6 包"}, ensure_ascii=False),
}


def presales_data(now: datetime) -> DemoData:
    """The pre-sales rows by table (the restock of the out-of-stock nuts in 5 days)."""
    keywords = [{"sku": sku, "keyword": word} for sku, words in _KEYWORDS.items() for word in words]
    return {
        "products": [{**_TISSUE, "updated_at": now - timedelta(days=1)}],
        "shipping_regions": [
            {
                "name": name,
                "places": json.dumps(list(places), ensure_ascii=False),
                "days_min": low,
                "days_max": high,
                "remote": remote,
                "delivers": delivers,
            }
            for name, places, low, high, remote, delivers in _REGIONS
        ],
        "shipping_rules": [
            {
                "seller": seller,
                "base_fee_fen": base,
                "free_over_fen": free_over,
                "remote_extra_fen": extra,
                "extra_days": days,
            }
            for seller, base, free_over, extra, days in _RULES
        ],
        "product_keywords": keywords,
        "product_restocks": [{"sku": "SZS-NUT-1500", "expected_at": now + timedelta(days=5)}],
    }
