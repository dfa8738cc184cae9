"""Disputed returns (退货争议: 商家拒收, 质检不通过, 退货被驳回) become tickets with evidence.

The customer explains; the evidence (their text, and images as URLs or a channel's media
ids when the channel passes them) is stored with a ``return_dispute`` ticket for the
after-sales team, who answer within :data:`REPLY_HOURS` hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import DisputeEvidence, Exchange, Ticket
from zhike.servers.backend.services.common import current_time, customer_order
from zhike.servers.backend.services.tickets import create_ticket
from zhike.servers.backend.validation import clean_text

DISPUTE_CATEGORY = "return_dispute"
REPLY_HOURS = 24
DESCRIPTION_MIN, DESCRIPTION_MAX = 2, 1000
IMAGES_MAX = 9
IMAGE_REF_MAX = 512
REFUND_LABELS = {
    "requested": "待审核",
    "processing": "处理中",
    "approved": "已同意",
    "rejected": "已驳回",
    "completed": "已完成",
}


@dataclass(frozen=True)
class Dispute:
    """A disputed return: its ticket, the order and the evidence stored with it."""

    ticket: Ticket
    order_id: str
    evidence: tuple[DisputeEvidence, ...]
    reply_within_hours: int = REPLY_HOURS


def _images(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > IMAGES_MAX:
        raise ApiError(422, "invalid_images", f"图片最多 {IMAGES_MAX} 张，每张为链接或媒体 ID")
    images = []
    for value in raw:
        text = clean_text(value, 1, IMAGE_REF_MAX) if isinstance(value, str) else None
        if text is None:
            raise ApiError(422, "invalid_images", f"图片最多 {IMAGES_MAX} 张，每张为链接或媒体 ID")
        images.append(text)
    return images


async def open_dispute(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    description: str,
    images: object = None,
    channel: str = "",
    idempotency_key: str | None = None,
    *,
    now: datetime | None = None,
) -> Dispute:
    """Opens a ``return_dispute`` ticket for the customer's order with the evidence.

    The order must have a return behind it (a refund or an exchange); the ticket summary
    names the latest one and its status.

    Raises:
        ApiError: 422 ``invalid_description`` (2-1000 characters) or ``invalid_images``;
            400 malformed id; 404 ``not_found``; 409 ``no_return`` (nothing to dispute);
            the errors of :func:`~zhike.servers.backend.services.tickets.create_ticket`.
    """
    now = current_time(now)
    text = clean_text(description, DESCRIPTION_MIN, DESCRIPTION_MAX)
    if text is None:
        raise ApiError(
            422,
            "invalid_description",
            f"请描述一下情况（{DESCRIPTION_MIN}-{DESCRIPTION_MAX} 个字）",
        )
    pictures = _images(images)
    order = await customer_order(session, order_id, customer_id)
    exchanges = (
        (await session.execute(select(Exchange).where(Exchange.order_id == order.id)))
        .scalars()
        .all()
    )
    if order.refunds:
        latest = order.refunds[-1]
        behind = f"退款 {latest.id}（{REFUND_LABELS.get(latest.status, latest.status)}）"
    elif exchanges:
        behind = f"换货 {exchanges[-1].id}"
    else:
        raise ApiError(
            409,
            "no_return",
            f"订单 {order.id} 没有退货或换货记录，无需申诉；如需退货请申请退款",
        )
    summary = f"退货争议：订单 {order.id}，{behind}。客户说明：{text}"
    if pictures:
        summary += f"（附图片 {len(pictures)} 张）"
    result = await create_ticket(
        session,
        DISPUTE_CATEGORY,
        summary[:2000],
        order.customer_id,
        channel,
        idempotency_key,
        now=now,
    )
    if not result.created:
        found = await session.execute(
            select(DisputeEvidence)
            .where(DisputeEvidence.ticket_id == result.ticket.id)
            .order_by(DisputeEvidence.id)
        )
        return Dispute(result.ticket, order.id, tuple(found.scalars().all()))
    rows = [DisputeEvidence(kind="text", content=text)]
    rows += [DisputeEvidence(kind="image", content=picture) for picture in pictures]
    for row in rows:
        row.ticket_id, row.order_id, row.created_at = result.ticket.id, order.id, now
        session.add(row)
    await session.flush()
    return Dispute(result.ticket, order.id, tuple(rows))
