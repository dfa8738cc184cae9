"""价保 (price protection): does my order qualify, apply, and how far is it.

The backend decides (window, same SKU and seller, promotions excluded) and explains
each item in Chinese; the form shows the verdict of every item as soon as the order is
known, asks to confirm only when something can be refunded, and applies. The refund of
the difference is a refund like any other: "退款进度" shows it too.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.order_changes import CustomerOrderChange
from actions.parsing import parse_order_id
from actions.services import backend
from actions.submit import apologise
from actions.verify_first import customer_asking, request_message, verify_first
from zhike.common.formats import yuan
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.price_protection import PriceCheck

logger = logging.getLogger(__name__)

REFUND_LABELS = {
    "requested": "已提交，等待审核",
    "processing": "审核通过，退款处理中（一般 1–3 个工作日原路到账）",
    "approved": "审核通过，退款处理中（一般 1–3 个工作日原路到账）",
    "completed": "退款已完成，已原路退回",
    "rejected": "未通过",
}
SHOWN_PROTECTIONS = 5


def item_lines(check: PriceCheck) -> str:
    """One line per item: ✅ with the amount, or ❌ with the backend's reason."""
    return "\n".join(
        f"{'✅' if item.eligible else '❌'} {item.name}：{item.message}" for item in check.items
    )


class ValidatePriceProtectionForm(ZhikeFormValidationAction):
    """Order number, then each item's verdict; a confirmation only when money is due."""

    needs_customer = True
    confirm_words = ("申请", "价保", "保价", "退差价")

    def name(self) -> str:
        """See the base class."""
        return "validate_price_protection_form"

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Shows every item's verdict; nothing eligible ends the form with the reasons."""
        try:
            customer_id = (await identify(tracker)).customer_id
            if customer_id is None:
                return None  # checked again once the customer is known
            check = await backend().check_price_protection(order_id, customer_id)
        except BackendUnavailable as error:
            logger.info("价保 check of %s skipped: %s", order_id, error)
            return None  # the application apologises if the system is still down
        except BackendError as error:
            logger.info("价保 check of %s refused: %s", order_id, error)
            return self.reject(
                "order_id", dispatcher, tracker, "utter_order_not_found", order_id=order_id
            )
        if check.eligible_items:
            dispatcher.utter_message(
                response="utter_price_protection_check",
                order_id=order_id,
                lines=item_lines(check),
            )
            return None
        applied = any(item.code == "already_applied" for item in check.items)
        dispatcher.utter_message(
            response="utter_price_protection_not_eligible",
            order_id=order_id,
            lines=item_lines(check),
            note="回复「价保进度」可以查看退款进度。"
            if applied
            else "如对价格有疑问，可以回复「转人工」由人工客服为您核实。",
        )
        return {"order_id": order_id, FOCUS_ORDER_SLOT: order_id, "form_gave_up": True}


class ActionApplyPriceProtection(CustomerOrderChange):
    """Applies for 价保 and says how much comes back, where, and when."""

    form_slots = ("order_id",)
    ticket_category = "refund"
    declined_response = "utter_price_protection_not_applied"

    def name(self) -> str:
        """See the base class."""
        return "action_apply_price_protection"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Applies for every eligible item of the order."""
        granted = await backend().apply_price_protection(order_id, customer_id)
        names = "、".join(protection.name for protection in granted.protections)
        dispatcher.utter_message(
            response="utter_price_protection_applied",
            order_id=order_id,
            items=names,
            amount=yuan(granted.refund.amount_fen),
            refund_id=granted.refund.refund_id,
        )
        return [SlotSet(FOCUS_ORDER_SLOT, order_id)]

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Not eligible (any more) or applied already: the backend's reason."""
        if error.code not in ("price_protection_not_eligible", "price_protection_exists"):
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        dispatcher.utter_message(
            response="utter_price_protection_refused", order_id=order_id, reason=error.message
        )
        return []


class ActionPriceProtectionStatus(Action):
    """The identified customer's 价保 applications (of the order named, if any)."""

    def name(self) -> str:
        """See the base class."""
        return "action_price_protection_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Lists the applications with their refunds' progress."""
        asked = request_message(tracker)
        text = str(asked.get("text") or "")
        named = next((e.get("value") for e in asked.get("entities") or []
                      if e.get("entity") == "order_id"), None)  # fmt: skip
        order_id = parse_order_id(str(named or "")) or parse_order_id(text)
        try:
            customer_id = await customer_asking(tracker)
            if customer_id is None:
                return verify_first(dispatcher, tracker)
            found = await backend().list_price_protections(customer_id)
        except BackendUnavailable:
            summary = "查询价保进度时系统故障"
            return await apologise(dispatcher, tracker, "refund", summary, None)
        except BackendError as error:
            logger.warning("价保 list failed: %s", error)
            found = []
        mine = [p for p in found if order_id is None or p.order_id == order_id]
        if not mine:
            dispatcher.utter_message(
                response="utter_no_price_protection",
                scope=f"订单 {order_id} " if order_id else "您",
            )
            return [SlotSet("order_id", None)]
        lines = "\n".join(
            f"· 订单 {p.order_id} {p.name}：退差价 ¥{yuan(p.amount_fen)}（退款单号 "
            f"{p.refund_id}），{REFUND_LABELS.get(p.refund_status, '处理中')}"
            for p in mine[:SHOWN_PROTECTIONS]
        )
        dispatcher.utter_message(response="utter_price_protection_status", lines=lines)
        return [SlotSet(FOCUS_ORDER_SLOT, mine[0].order_id), SlotSet("order_id", None)]
