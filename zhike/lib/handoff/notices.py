"""What the customer is told when a person takes over, hands on or ends the conversation.

The words live here, in one place: :data:`NOTICE_TEXTS` (polite 客服 Chinese) and the
customer-facing names of the skill groups (:data:`GROUP_NAMES`). :func:`add_notice` runs
inside the transaction of the change it reports (accept, transfer, reassign, close): it
stores the notice as a ``system`` message of the episode (so agents see what the customer
was told) and queues a ``deliver`` outbox row for it, which the desk's dispatcher sends
through the customer's own channel like an agent's reply: reliably, in order and once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.lib.handoff import messages, outbox
from zhike.lib.handoff.config import HandoffSettings
from zhike.lib.handoff.errors import InvalidInput
from zhike.lib.handoff.models import DELIVER

ACCEPTED = "accepted"
TRANSFERRING = "transferring"
ENDED = "ended"

NOTICE_TEXTS = {
    ACCEPTED: "人工客服「{agent_name}」已接入，请问有什么可以帮您？",
    TRANSFERRING: "正在为您转接{group_name}，请稍候",
    ENDED: "本次人工服务已结束，感谢您的耐心等待与支持！如还有其他问题，欢迎随时联系我们。",
}

# The skill groups as customers read them (the desk has its own, shorter labels).
GROUP_NAMES = {
    "orders": "订单售后客服",
    "courses": "课程服务客服",
    "general": "综合服务客服",
    "presales": "售前咨询客服",
}

PAYLOAD_KEY = "notice"  # a notice message's payload: {"notice": kind, ...the values}


def notice_text(kind: str, **values: str) -> str:
    """The Chinese text of a notice (``agent_name`` / ``group_name`` filled in)."""
    template = NOTICE_TEXTS.get(kind)
    if template is None:
        raise InvalidInput(f"unknown notice {kind!r}", "invalid_notice")
    if "group" in values:
        values["group_name"] = GROUP_NAMES.get(values.pop("group"), "人工客服")
    return template.format(**values)


async def add_notice(
    session: AsyncSession,
    settings: HandoffSettings,
    conversation_id: int,
    kind: str,
    now: datetime,
    **values: str,
) -> int:
    """Stores a notice for the customer and queues its delivery; returns the outbox row id.

    Call it in the transaction of the change, after the conversation's row is locked.
    """
    text = notice_text(kind, **values)
    payload = {PAYLOAD_KEY: kind, **values}
    key = f"notice:{conversation_id}:{kind}:{uuid.uuid4().hex}"
    message = await messages.append_message(
        session, settings, conversation_id, "system", text, key, payload, now
    )
    return await outbox.enqueue(session, conversation_id, DELIVER, now, message)
