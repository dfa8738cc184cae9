"""A refund's progress as customers are told it, and the answer to one urging it.

Right after "订单 HP20240004 的退款……退款处理中", "能不能快点 我急用" or "怎么这么慢啊
都一个礼拜了" chases that refund. The NLU reads such words as a parcel query (customers
mostly chase parcels), and the order lookup showed the parcel, long delivered. The lookup
asks :func:`say_refund_urged` first: the refund's progress, how long it takes, and a
button to a person who can chase it. So does "好的 那什么时候能到" there: the money.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import focus_order, said_before_latest_message
from actions.order_questions import OPEN_REFUNDS, service_button
from actions.own_orders import seen_order
from actions.parsing import typed_text
from zhike.common.urges import PARCEL, urges
from zhike.lib.backend_client import BackendError, Order, Refund
from zhike.lib.backend_client.domain import SHIPPED

REFUND_STATUS = {
    "requested": ("已提交，等待审核", "一般 1 个工作日内完成审核。"),
    "processing": ("审核通过，退款处理中", "款项将原路退回，一般 1–3 个工作日到账。"),
    "approved": ("审核通过，退款处理中", "款项将原路退回，一般 1–3 个工作日到账。"),
    "completed": ("退款已完成", "款项已原路退回，如未到账请留意银行或支付平台的入账记录。"),
    "rejected": ("退款申请未通过", "如有疑问，回复「转人工」由人工客服为您说明。"),
}
# "什么时候能到", "多久到": when, right after the refund's progress, the money comes.
ASKS_WHEN = re.compile(r"什么时候|啥时候|多久|几天|多长时间|何时")
# What the refund's progress was shown with.
REFUND_SHOWN = ("utter_refund_status", "utter_refund_urged")


def refund_status(refund: Refund) -> tuple[str, str]:
    """The Chinese label and a note about what happens next."""
    return REFUND_STATUS.get(refund.status, ("处理中", "如有疑问，回复「转人工」咨询。"))


def say_refund_urged(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order) -> bool:
    """Answers a customer urging ``order``'s refund just shown; whether it did.

    Only right after the refund's progress, for an urge or a question when it comes
    ("好的 那什么时候能到", unless the order's parcel is still on its way) that names no
    parcel, and for a refund still under way or just completed (a refused one has its
    own way on).
    """
    text = typed_text((tracker.latest_message or {}).get("text"))
    # "那什么时候能到" asks when the money comes, unless a parcel is still on its way
    when = ASKS_WHEN.search(text) is not None and order.status != SHIPPED
    if not order.refunds or not (urges(text) or when) or PARCEL.search(text):
        return False
    refund = order.refunds[-1]
    if refund.status not in (*OPEN_REFUNDS, "completed"):
        return False
    if not said_before_latest_message(tracker, *REFUND_SHOWN):
        return False
    label, note = refund_status(refund)
    dispatcher.utter_message(
        response="utter_refund_urged",
        order_id=order.order_id,
        refund_id=refund.refund_id,
        status_label=label,
        note=note,
        buttons=[service_button("human_handoff", order.order_id)],
    )
    return True


async def say_focus_refund_urged(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """:func:`say_refund_urged` for the order in focus ("都一个星期了" the NLU did not read)."""
    order_id = focus_order(tracker)
    if order_id is None:
        return False
    try:
        order = await seen_order(tracker, order_id)
    except BackendError:
        return False
    return order is not None and say_refund_urged(dispatcher, tracker, order)
