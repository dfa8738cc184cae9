"""zhike's own knowledge-base topics by the keys the benchmarks label them with.

The seed entries (data/kb/faq.yml) carry no key; the labelled queries (bench/kb/queries.yml)
and the real-customer labels (bench/nlu/jddc_labels.tsv, ``faq/<key>``) name a topic by
key. This table ties each key to its entry's standard question.
"""

from __future__ import annotations

from pathlib import Path

from zhike.lib.kb.io import parse_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = PROJECT_ROOT / "data" / "kb" / "faq.yml"

TOPIC_QUESTIONS = {
    "shipping_time": "下单后多久发货？",
    "delivery_area": "哪些地区可以配送？",
    "return_policy": "退货政策是怎样的？",
    "payment_methods": "支持哪些付款方式？",
    "invoice_rules": "怎么开发票？",
    "coupon_usage": "优惠券怎么使用？",
    "coupon_return": "取消订单或退款后，优惠券会退回吗？",
    "membership": "会员有什么权益，怎么开通？",
    "trial_lesson": "可以免费试听吗？",
    "course_materials": "课程讲义和回放在哪里看？",
    "change_teacher": "可以更换老师吗？",
    "device_requirements": "上课需要什么设备？",
    "refund_time": "退款多久能到账？",
    "contact_hours": "人工客服什么时间在线？",
    "price_protection": "商品降价了可以价保吗？",
    "course_refund_policy": "退课怎么退费？",
    "leave_policy": "请假或调课有什么规定？",
    "installation_fee": "安装收费吗？",
    "warranty_repair": "保修期多久，过保了怎么修？",
    "genuine_goods": "商品都是正品吗？",
    "price_bargain": "价格能再优惠一点吗？",
    "course_enrolment": "课程怎么报名，学费多少？",
    "interception_fee": "拦截快递要收费吗？",
    "address_change_fee": "修改收货地址要收费吗？",
    "exchange_time": "换货多久能收到新商品？",
}
KEYS_BY_QUESTION = {question: key for key, question in TOPIC_QUESTIONS.items()}


def faq_topics(path: Path = SEED_FILE) -> dict[str, list[str]]:
    """Each topic key -> its entry's texts (standard question first, then similar ones).

    Raises:
        ValueError: an entry of the seed file has no key in :data:`TOPIC_QUESTIONS`.
    """
    topics: dict[str, list[str]] = {}
    for item in parse_file(path):
        key = KEYS_BY_QUESTION.get(item.draft.question)
        if key is None:
            raise ValueError(f"{path}: no topic key for {item.draft.question!r}")
        topics[key] = [item.draft.question, *item.draft.similar]
    return topics
