"""Delivery-change forms: interception, delivery window, receiver phone, return pickup.

Each form checks the order as soon as it is known (:class:`DeliveryRuleChecks`): an order
that cannot take the change ends the form at once with the reason, before any more
questions; the backend has the last word when the change is made (``delivery_submit``).
"""

from __future__ import annotations

import logging
import re
from abc import ABC
from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.delivery_parsing import (
    named_day,
    parse_window,
    proposed_window,
    slot_of,
    window_label,
    window_problem,
)
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.order_changes import order_to_check
from actions.parsing import parse_mobile_phone
from actions.services import backend
from actions.topics import form_intents
from zhike.common.formats import yuan
from zhike.common.questions import asks_question
from zhike.common.times import china_now
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client import BackendError, Order

logger = logging.getLogger(__name__)

# Order states in which no delivery change applies any more (the reason for each form).
CLOSED = ("cancelled", "refunding", "refunded")
INTERCEPTION_STATES = {"requested": "处理中", "intercepted": "已拦截成功，包裹正在退回仓库"}
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# The courier's fee, said in the question before the customer confirms ("" when free).
INTERCEPT_FEE_SLOT = "intercept_fee_note"


def fee_note(order: Order) -> str:
    """The courier's interception fee as said to the customer ("" when it is free)."""
    logistics = order.logistics
    if logistics is None or not logistics.intercept_fee_fen:
        return ""
    fee = yuan(logistics.intercept_fee_fen)
    return f"{logistics.courier}拦截需支付服务费 {fee} 元，从退款中扣除。"


def delivered(order: Order) -> bool:
    """Whether the parcel was signed for."""
    return order.status == "delivered" or (
        order.logistics is not None and order.logistics.status == "delivered"
    )


class DeliveryRuleChecks(ZhikeFormValidationAction, ABC):
    """A delivery-change form: the order's state is checked before anything else is asked.

    Subclasses implement :meth:`refusal` (the reason the order cannot take the change,
    or ``None``) and may add slots through :meth:`known_order`.
    """

    needs_customer = True

    def asks_else(self, tracker: Tracker) -> bool:
        """Whether the latest message asks something else (its own request does not)."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        return intent not in form_intents(self.form_name()) and self.interrupted(tracker)

    def refusal(self, order: Order) -> str | None:
        """Hook: why ``order`` cannot take this change (said to the customer), else ``None``."""
        return None

    async def known_order(
        self, order: Order, customer_id: str, dispatcher: CollectingDispatcher
    ) -> dict[str, Any] | None:
        """Hook: more checks with the backend; slots to set (may end the form), else ``None``."""
        return None

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's or an unknown order is re-asked; an ineligible one ends the form."""
        order = await order_to_check(self, order_id, dispatcher, tracker)
        if not isinstance(order, Order):
            return order
        reason = self.refusal(order)
        if reason is not None:
            dispatcher.utter_message(response="utter_delivery_change_refused", reason=reason)
            return {"order_id": order_id, FOCUS_ORDER_SLOT: order_id, "form_gave_up": True}
        try:
            customer_id = (await identify(tracker)).customer_id
            more = await self.known_order(order, customer_id or "", dispatcher)
        except BackendError as error:
            logger.info("Delivery check of %s skipped: %s", order_id, error)
            return None
        if more is None:
            return None
        return {"order_id": order_id, FOCUS_ORDER_SLOT: order_id, **more}


class ValidateInterceptForm(DeliveryRuleChecks):
    """Order number and a confirmation; an open interception is shown instead."""

    confirm_words = ("拦截", "拦", "退回")

    def name(self) -> str:
        """See the base class."""
        return "validate_intercept_form"

    def refusal(self, order: Order) -> str | None:
        """Not shipped: cancel instead; delivered: return instead; closed: nothing to do."""
        if order.status in ("pending_payment", "paid"):
            return (
                f"订单 {order.order_id} 还没有发货，不需要拦截，直接取消订单即可，"
                "已付款项会原路退回。回复「取消订单」就可以办理。"
            )
        if delivered(order):
            return (
                f"订单 {order.order_id} 已经签收，包裹无法再拦截了。如不想要了，可以在签收后 7 天内"
                "申请退货退款，回复「申请退款」即可办理。"
            )
        if order.status in CLOSED:
            return f"订单 {order.order_id} 已取消或正在退款，无需拦截包裹。"
        return None

    async def known_order(
        self, order: Order, customer_id: str, dispatcher: CollectingDispatcher
    ) -> dict[str, Any] | None:
        """An interception already asked for: its state instead of a second request.

        Else the courier's fee, for the question before the customer confirms (also when
        the list fails: the business system refuses a second request by itself).
        """
        try:
            changes = await backend().list_delivery_changes(order.order_id, customer_id)
        except BackendError as error:
            logger.info("Interceptions of %s not listed: %s", order.order_id, error)
            changes = []
        open_ones = [
            change
            for change in changes
            if change.kind in ("intercept", "return") and change.status in INTERCEPTION_STATES
        ]
        if not open_ones:
            return {INTERCEPT_FEE_SLOT: fee_note(order)}
        change = open_ones[-1]
        dispatcher.utter_message(
            response="utter_interception_exists",
            order_id=order.order_id,
            change_id=change.change_id,
            status_label=INTERCEPTION_STATES[change.status],
        )
        return {"form_gave_up": True}


class WindowSlots(DeliveryRuleChecks, ABC):
    """A form that asks for a day (``window_date``, ISO) and a slot (``window_slot``)."""

    slots_offered: ClassVar[tuple[str, ...]] = ("am", "pm", "evening")

    def _may_fill(self, tracker: Tracker, slot: str) -> bool:
        """Whether the latest message may fill ``slot``: asked for it, or said it unasked."""
        requested = tracker.get_slot("requested_slot")
        if requested == slot:
            return True
        if requested not in (None, "order_id", "window_date", "window_slot"):
            return False
        return tracker.get_slot(slot) is None and not self.asks_else(tracker)

    def _unreadable(self, tracker: Tracker, slot: str, text: str) -> dict[str, Any]:
        """The text to re-ask with when ``slot`` was asked and answered unreadably."""
        if tracker.get_slot("requested_slot") != slot or not text or self.asks_else(tracker):
            return {}
        return {slot: text}

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """Another day or slot said to the confirmation ("改到周日吧", "还是下午吧")."""
        day, slot = proposed_window(text, china_now())
        changed: dict[str, Any] = {}
        if isinstance(day, tuple):
            changed["window_date"] = text  # "周末": which of its two days is asked
        elif day is not None and day.isoformat() != tracker.get_slot("window_date"):
            changed["window_date"] = day.isoformat()
        if slot is not None and slot != tracker.get_slot("window_slot"):
            changed["window_slot"] = slot
        return changed

    async def extract_window_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A day named anywhere before the confirmation ("能不能周六再送"), or a day button."""
        if not self._may_fill(tracker, "window_date"):
            return {}
        option = self.offered_option("window_date", tracker, domain)
        if option:
            return option  # "周日" or "2" to 「周六（12月12日）」 / 「周日（12月13日）」
        text = self.latest_text(tracker)
        day = named_day(text, china_now())
        if isinstance(day, date):
            return {"window_date": day.isoformat()}
        if day is not None and tracker.get_slot("requested_slot") != "window_date":
            return {}  # "能改到周末送吗": which of its two days is asked with the day
        return self._unreadable(tracker, "window_date", text)

    async def validate_window_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A day from tomorrow to 7 days ahead; else re-asked with the reason.

        "周末" with both days bookable is no failed answer: the question asks which.
        """
        text = str(value or "")
        day = date.fromisoformat(text) if _DATE_TEXT.match(text) else named_day(text, china_now())
        if isinstance(day, tuple):
            return {"window_date": None}  # actions/delivery_questions.py asks which of the two
        if day is None:
            return self.reject("window_date", dispatcher, tracker)
        problem = window_problem(day, china_now().date())
        if problem is not None:
            return self.reject(
                "window_date", dispatcher, tracker, "utter_window_date_out_of_range", reason=problem
            )
        return {"window_date": day.isoformat()}

    async def extract_window_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed button ("下午", "2") or a part of day in the message ("周六上午")."""
        if not self._may_fill(tracker, "window_slot"):
            return {}
        option = self.offered_option("window_slot", tracker, domain)
        if option:
            return option
        text = self.latest_text(tracker)
        _, slot = parse_window(text, china_now())
        asked = tracker.get_slot("requested_slot") == "window_slot"
        slot = slot or (slot_of(text) if asked else None)
        if slot is not None:
            return {"window_slot": slot}
        return self._unreadable(tracker, "window_slot", text)

    async def validate_window_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the slots the form offers."""
        slot = slot_of(value)
        if slot is None or slot not in self.slots_offered:
            return self.reject("window_slot", dispatcher, tracker, self.slot_refusal)
        return {"window_slot": slot}

    slot_refusal: ClassVar[str] = "utter_invalid_window_slot"


class ValidateDeliveryTimeForm(WindowSlots):
    """Order number, a day within 7 days, 上午/下午/晚上, and a confirmation."""

    confirm_words = ("预约", "约")

    def name(self) -> str:
        """See the base class."""
        return "validate_delivery_time_form"

    def refusal(self, order: Order) -> str | None:
        """Delivered, out for delivery, unpaid or closed: no window to choose."""
        if delivered(order):
            return f"订单 {order.order_id} 已经签收，无需再预约配送时间。"
        if order.status in (*CLOSED, "pending_payment"):
            return f"订单 {order.order_id} 未付款、已取消或正在退款，无法预约配送时间。"
        if order.logistics is not None and order.logistics.status == "out_for_delivery":
            return (
                f"订单 {order.order_id} 的包裹今天已在派送中，无法再改约时间；可以联系快递员约定，"
                "或回复「转人工」由人工客服协助。"
            )
        return None


class ValidatePickupForm(WindowSlots):
    """Order number (with a return pickup), a new day within 7 days, 上午/下午, a confirmation."""

    confirm_words = ("改", "改约")
    slots_offered = ("am", "pm")
    slot_refusal = "utter_invalid_pickup_slot"

    def name(self) -> str:
        """See the base class."""
        return "validate_pickup_form"

    async def known_order(
        self, order: Order, customer_id: str, dispatcher: CollectingDispatcher
    ) -> dict[str, Any] | None:
        """No pickup: said at once; else the current window is kept for the confirmation."""
        pickup = await backend().get_return_pickup(order.order_id, customer_id)
        if pickup is None or pickup.status != "scheduled":
            dispatcher.utter_message(response="utter_no_pickup", order_id=order.order_id)
            return {"form_gave_up": True}
        current = window_label(pickup.pickup_date, pickup.pickup_slot)
        return {"pickup_current": f"{pickup.courier} {current}".strip()}


class ValidateReceiverPhoneForm(DeliveryRuleChecks):
    """Order number, the new receiver mobile number and a confirmation."""

    confirm_words = ("改", "修改", "更改", "换")

    def name(self) -> str:
        """See the base class."""
        return "validate_receiver_phone_form"

    def refusal(self, order: Order) -> str | None:
        """Delivered or closed: the phone no longer matters."""
        if delivered(order):
            return f"订单 {order.order_id} 已经签收，无法再修改收货电话。"
        if order.status in CLOSED:
            return f"订单 {order.order_id} 已取消或正在退款，无需修改收货电话。"
        return None

    async def extract_receiver_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mobile number in the request ("改成13912345678") or the answer to the question."""
        requested = tracker.get_slot("requested_slot")
        text = self.latest_text(tracker)
        phone = parse_mobile_phone(text)
        if requested == "receiver_phone":
            if phone is not None:
                return {"receiver_phone": phone}
            return {} if not text or self.asks_else(tracker) else {"receiver_phone": text}
        unasked = requested in (None, "order_id") and not tracker.get_slot("receiver_phone")
        if phone is None or not unasked or self.asks_else(tracker):
            return {}
        return {"receiver_phone": phone}

    async def validate_receiver_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An 11-digit mainland mobile number.

        A question without a digit ("新号码是多少你们能看到吗") is told that the robot
        cannot see the new number, not that the number looks wrong.
        """
        phone = parse_mobile_phone(value)
        text = str(value or "")
        if phone is None and not re.search(r"\d", text) and asks_question(text):
            return self.reject(
                "receiver_phone", dispatcher, tracker, "utter_receiver_phone_not_seen"
            )
        return self.accept("receiver_phone", phone, dispatcher, tracker)
