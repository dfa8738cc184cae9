"""The Chinese words the desk page shows for codes: intents, slots, channels, dispositions.

Intent titles come from one place, ``actions/intent_titles.yml`` (the titles the bot's
fallback buttons show), read as data when first asked for -- the desk imports nothing of
the actions package. Slot, channel, skill-group and disposition labels live here. The
page gets all of them from ``GET /api/desk/v1/labels`` (:func:`labels_document`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

INTENT_TITLES_PATH = Path(__file__).resolve().parents[3] / "actions" / "intent_titles.yml"

# The slots the bot hands over in its summary (and a few it may add), as agents read them.
SLOT_LABELS = {
    "order_id": "订单号",
    "refund_reason": "退款原因",
    "course_name": "课程",
    "lesson_time": "上课时间",
    "ticket_id": "工单号",
    "customer_id": "客户编号",
    "phone": "手机号",
    "address": "收货地址",
    "new_address": "新地址",
    "invoice_title": "发票抬头",
    "student_name": "学员",
    "kb_question": "知识库问题",
}
# Where a customer writes from (the Rasa input channel).
CHANNEL_LABELS = {
    "socketio": "网页",
    "wechat": "公众号",
    "wecom": "企业微信",
    "app": "App",
    "rest": "接口",
}
SKILL_GROUP_LABELS = {
    "orders": "订单组",
    "courses": "课程组",
    "general": "综合组",
    "presales": "售前组",
}
# Why a conversation ended: the reasons an agent picks when closing (the API takes any
# short code), then the ones the handoff library sets itself.
CLOSE_REASONS = ("resolved", "unresolved", "user_left", "duplicate", "spam")
DISPOSITION_LABELS = {
    "resolved": "已解决",
    "unresolved": "未解决",
    "user_left": "用户已离开",
    "duplicate": "重复会话",
    "spam": "骚扰/垃圾",
    "after_hours": "非工作时间，已转工单",
    "no_agent": "无坐席在线，已转工单",
    "bot": "机器人服务",
}
# States of orders, lessons, lesson requests and tickets of the business backend.
STATUS_LABELS = {
    "pending_payment": "待付款",
    "paid": "已付款",
    "shipped": "已发货",
    "delivered": "已签收",
    "cancelled": "已取消",
    "refunding": "退款中",
    "refunded": "已退款",
    "scheduled": "待上课",
    "completed": "已完成",
    "open": "待处理",
    "in_progress": "处理中",
    "resolved": "已解决",
    "closed": "已关闭",
    "pending": "待审批",
    "requested": "已申请",
    "processing": "处理中",
    "approved": "已同意",
    "rejected": "已拒绝",
}
_HEX_TAIL = re.compile(r"[0-9A-Za-z]{4}$")


def load_intent_titles(path: Path = INTENT_TITLES_PATH) -> dict[str, str]:
    """The Chinese title of every intent (``query_order`` → ``查询订单状态``).

    Reads the ``intents`` and ``retrieval`` maps of the file; a missing or broken file
    gives an empty map (the page then shows the intent's name) and a warning.
    """
    try:
        with path.open(encoding="utf-8") as stream:
            document = yaml.safe_load(stream) or {}
    except (OSError, yaml.YAMLError) as error:
        logger.warning("Intent titles not readable (%s): %s", path, type(error).__name__)
        return {}
    titles: dict[str, str] = {}
    for part in ("intents", "retrieval"):
        section = document.get(part) if isinstance(document, dict) else None
        if isinstance(section, dict):
            titles.update({str(k): str(v) for k, v in section.items() if v})
    return titles


def visitor_label(sender_id: str) -> str:
    """A readable name for an anonymous customer: ``访客 3F2A`` (the sender id's end)."""
    tail = _HEX_TAIL.search(sender_id.replace("-", ""))
    return f"访客 {tail.group(0).upper()}" if tail else "访客"


def labels_document(intents: dict[str, str], sla_seconds: int) -> dict[str, Any]:
    """The ``GET /labels`` answer: every label map and the reply SLA in seconds."""
    return {
        "intents": intents,
        "slots": SLOT_LABELS,
        "channels": CHANNEL_LABELS,
        "skill_groups": SKILL_GROUP_LABELS,
        "dispositions": DISPOSITION_LABELS,
        "close_reasons": list(CLOSE_REASONS),
        "statuses": STATUS_LABELS,
        "sla_seconds": sla_seconds,
    }
