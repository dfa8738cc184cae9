"""Changing an order: cancel it before shipment, change its delivery address."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.order_rules import (
    ADDRESS_CHANGEABLE,
    CANCELLABLE,
    say_address_not_changeable,
    say_not_cancellable,
    status_label,
)
from actions.own_orders import seen_order
from actions.parsing import parse_address, parse_order_id
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from zhike.common.privacy import mask_address
from zhike.common.questions import asks_question
from zhike.common.topic_names import FOCUS_ORDER_SLOT
from zhike.lib.backend_client import BackendError, BackendUnavailable, Order

logger = logging.getLogger(__name__)


class CustomerOrderChange(FormSubmitAction, ABC):
    """A confirmed change to one of the identified customer's orders.

    Contract for subclasses: set ``ticket_category`` and ``declined_response`` (said when
    the user answered "no" to the confirmation) and implement :meth:`change` (the backend
    call and the success message). The base resolves the customer, checks the
    confirmation, apologises with a ticket when the backend is unavailable, and passes a
    refusal to :meth:`refused` (default: the order is not found).
    """

    form_slots: ClassVar[tuple[str, ...]] = ("order_id",)
    ticket_category: ClassVar[str] = "order"
    declined_response: ClassVar[str]

    @abstractmethod
    async def change(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Makes the change and tells the user; backend errors propagate to the base."""

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Explains a refusal (default: the order is not found for this customer)."""
        dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
        return [SlotSet(FOCUS_ORDER_SLOT, None)]  # not in focus: not the customer's

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """See the class docstring."""
        order_id = parse_order_id(tracker.get_slot("order_id"))
        try:
            customer_id = (await identify(tracker)).customer_id
        except BackendUnavailable:
            summary = f"{self.name()}：查询客户身份失败（订单 {order_id}）"
            return await apologise(dispatcher, tracker, self.ticket_category, summary, None)
        if customer_id is None or order_id is None:
            dispatcher.utter_message(response="utter_need_customer")
            return []
        if not tracker.get_slot("confirmed"):
            dispatcher.utter_message(response=self.declined_response, order_id=order_id)
            return []
        try:
            return await self.change(dispatcher, tracker, customer_id, order_id)
        except BackendUnavailable:
            summary = f"{self.name()}：客户 {customer_id} 办理订单 {order_id} 时系统故障"
            return await apologise(dispatcher, tracker, self.ticket_category, summary, customer_id)
        except BackendError as error:
            return await self.refused(dispatcher, tracker, error, customer_id, order_id)


async def customer_order(tracker: Tracker, order_id: str) -> tuple[bool, Order | None]:
    """``(known, order)``: whether the customer is known, and their order (else ``None``).

    ``(False, None)`` for an anonymous sender or when the backend cannot say: the rules
    are then checked when the change is made.
    """
    try:
        if (await identify(tracker)).customer_id is None:
            return False, None
        return True, await seen_order(tracker, order_id)
    except BackendError as error:
        logger.info("Order check for %s skipped: %s", order_id, error)
        return False, None


async def order_to_check(
    form: ZhikeFormValidationAction,
    order_id: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> Order | dict[str, Any] | None:
    """The customer's ``order_id`` whose rules a form checks before asking more.

    ``None`` when the customer or the backend cannot say (the rules are checked when the
    change is made); for an order that is not theirs, the slots that ask for it again.
    """
    known, order = await customer_order(tracker, order_id)
    if not known:
        return None
    if order is None:
        return form.reject(
            "order_id", dispatcher, tracker, "utter_order_not_found", order_id=order_id
        )
    return order


class OrderRuleChecks(ZhikeFormValidationAction, ABC):
    """A form whose change is allowed only in some statuses: checked before asking more.

    Subclasses set ``allowed`` (or override :meth:`allows`) and implement :meth:`explain`
    (why not, and what to do instead).
    """

    allowed: ClassVar[tuple[str, ...]]

    def allows(self, order: Order) -> bool:
        """Whether the change may be asked for on ``order`` (default: its status)."""
        return order.status in self.allowed

    @abstractmethod
    def explain(self, dispatcher: CollectingDispatcher, order: Order) -> None:
        """Tells the customer why this order cannot be changed, and the alternative."""

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's or an unknown order is re-asked; a wrong status ends the form."""
        order = await order_to_check(self, order_id, dispatcher, tracker)
        if not isinstance(order, Order):
            return order
        if self.allows(order):
            return None
        self.explain(dispatcher, order)
        return {"order_id": order_id, "focus_order": order_id, "form_gave_up": True}


class ValidateCancelOrderForm(OrderRuleChecks):
    """Order number and a confirmation; anonymous users bind their account first."""

    needs_customer = True
    confirm_words = ("取消",)
    allowed = CANCELLABLE

    def name(self) -> str:
        """See the base class."""
        return "validate_cancel_order_form"

    def explain(self, dispatcher: CollectingDispatcher, order: Order) -> None:
        """The status and what to do instead (refuse the parcel, return it, ...)."""
        say_not_cancellable(dispatcher, order.order_id, order.status)


class ActionCancelOrder(CustomerOrderChange):
    """Cancels an unshipped order; explains the alternative for a shipped one."""

    declined_response = "utter_order_not_cancelled"

    def name(self) -> str:
        """See the base class."""
        return "action_cancel_order"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Cancels; a paid order is refunded in full by the backend."""
        order = await backend().cancel_order(order_id, customer_id)
        paid = any(refund.status == "completed" for refund in order.refunds)
        dispatcher.utter_message(
            response="utter_order_cancelled",
            order_id=order_id,
            refund_note="已付款项将在 1–3 个工作日内原路退回。" if paid else "",
        )
        return []

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """A shipped (or otherwise final) order: say its status and what to do instead."""
        if error.code != "order_not_cancellable":
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        try:
            order = await backend().get_order(order_id)
        except BackendError:
            order = None
        say_not_cancellable(dispatcher, order_id, order.status if order is not None else "")
        return []


class ValidateAddressForm(OrderRuleChecks):
    """Order number, the new address and a confirmation."""

    needs_customer = True
    confirm_words = ("改", "修改", "更改", "换")
    allowed = ADDRESS_CHANGEABLE

    def name(self) -> str:
        """See the base class."""
        return "validate_address_form"

    def explain(self, dispatcher: CollectingDispatcher, order: Order) -> None:
        """Shipped (or closed) already: the address can no longer be changed here."""
        say_address_not_changeable(dispatcher, order.order_id, order.status)

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order, unless the reply to "which order" is the new address itself."""
        if self._address_first(tracker):
            return {}
        return await super().extract_order_id(dispatcher, tracker, domain)

    async def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's text when the new address was asked, or an address said before.

        A question with no address in it ("顺便问下发票怎么开", which the NLU was unsure of)
        is no incomplete address: the form gives it up to be answered, then asks again.
        """
        text = self.latest_text(tracker)
        if self._address_first(tracker):  # "上海市浦东新区…" asked which order: noted
            return {"new_address": text}
        if asks_question(text) and parse_address(text) is None and not self.urged(tracker):
            return {}
        return self.text_answer("new_address", tracker, free_text=True)

    async def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A plausible full address (province/city/district + street); else re-asked."""
        taken = self.accept("new_address", parse_address(value), dispatcher, tracker)
        if taken.get("new_address") and not tracker.get_slot("order_id"):
            dispatcher.utter_message(response="utter_address_noted")  # the order comes next
        return taken

    def _address_first(self, tracker: Tracker) -> bool:
        """Whether the customer gives the new address while asked which order."""
        text = self.latest_text(tracker)
        return (
            tracker.get_slot("requested_slot") == "order_id"
            and not tracker.get_slot("new_address")
            and parse_order_id(text) is None
            and parse_address(text) is not None
        )


class ActionChangeAddress(CustomerOrderChange):
    """Changes the delivery address of an order that has not shipped."""

    form_slots = ("order_id", "new_address")
    declined_response = "utter_address_not_changed"

    def name(self) -> str:
        """See the base class."""
        return "action_change_address"

    async def change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: str
    ) -> list[dict[str, Any]]:
        """Changes the address; the reply shows it masked."""
        address = str(tracker.get_slot("new_address") or "")
        await backend().change_address(order_id, customer_id, address)
        dispatcher.utter_message(
            response="utter_address_changed",
            order_id=order_id,
            masked_address=mask_address(address),
        )
        return []

    async def refused(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        error: BackendError,
        customer_id: str,
        order_id: str,
    ) -> list[dict[str, Any]]:
        """Shipped already, or an address the backend does not accept."""
        responses = {
            "address_not_changeable": "utter_address_not_changeable",
            "invalid_address": "utter_invalid_new_address",
        }
        if error.code not in responses:
            return await super().refused(dispatcher, tracker, error, customer_id, order_id)
        known, order = await customer_order(tracker, order_id)
        dispatcher.utter_message(
            response=responses[error.code],
            order_id=order_id,
            status_label=status_label(order.status if order is not None else "shipped"),
        )
        return []
