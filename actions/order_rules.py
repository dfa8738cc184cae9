"""What an order's status allows a customer to do, and what to say when it does not.

Cancelling and changing the delivery address are open only before the parcel ships. The
forms (:mod:`actions.order_changes`) check this before asking anything, and so does the
answer to "能取消吗" about the order just shown (:mod:`actions.order_questions`): the
customer hears why not and what to do instead, instead of a button that leads there.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from zhike.lib.backend_client import Order

STATUS_LABELS = {
    "pending_payment": "待付款",
    "paid": "已付款，等待发货",
    "shipped": "已发货，正在运输中",
    "delivered": "已签收",
    "cancelled": "已取消",
    "refunding": "退款处理中",
    "refunded": "已退款",
}


def status_label(status: str) -> str:
    """The customer-facing Chinese label of an order status code."""
    return STATUS_LABELS.get(status, "处理中")


# What a customer can do instead when an order can no longer be cancelled.
CANCEL_ALTERNATIVES = {
    "shipped": (
        "包裹已在路上，您可以拒收快递，包裹退回仓库后会为您全额退款；也可以签收后申请退货退款。"
    ),
    "delivered": (
        "订单已签收，如不满意可以在签收后 7 天内申请「七天无理由退货」，回复「申请退款」即可办理。"
    ),
    "refunding": "该订单正在退款中，回复「退款进度」可以查看处理情况。",
    "refunded": "该订单已退款完成。",
}
# Nothing to explain: the order is already what the customer asked for.
ALREADY_CANCELLED = "cancelled"
# Statuses in which the backend accepts the change (zhike.servers.backend.services.orders).
CANCELLABLE = ("pending_payment", "paid")
ADDRESS_CHANGEABLE = ("pending_payment", "paid")


def say_not_cancellable(dispatcher: CollectingDispatcher, order_id: str, status: str) -> None:
    """Why ``order_id`` cannot be cancelled in ``status``, and the alternative."""
    if status == ALREADY_CANCELLED:
        dispatcher.utter_message(response="utter_order_already_cancelled", order_id=order_id)
        return
    dispatcher.utter_message(
        response="utter_order_not_cancellable",
        order_id=order_id,
        status_label=status_label(status),
        alternative=CANCEL_ALTERNATIVES.get(status, "如有疑问，回复「转人工」由人工客服为您处理。"),
    )


def say_address_not_changeable(
    dispatcher: CollectingDispatcher, order_id: str, status: str
) -> None:
    """Why the delivery address of ``order_id`` can no longer change in ``status``."""
    dispatcher.utter_message(
        response="utter_address_not_changeable",
        order_id=order_id,
        status_label=status_label(status),
    )


def say_change_blocker(dispatcher: CollectingDispatcher, order: Order, intent: str) -> bool:
    """Says why ``order`` allows no ``intent`` (cancel, new address) now; whether it did."""
    if intent == "cancel_order" and order.status not in CANCELLABLE:
        say_not_cancellable(dispatcher, order.order_id, order.status)
        return True
    if intent == "modify_address" and order.status not in ADDRESS_CHANGEABLE:
        say_address_not_changeable(dispatcher, order.order_id, order.status)
        return True
    return False
