"""Exchanges (换货): ask for one (size, colour, defect), follow its progress.

The backend decides (:mod:`zhike.servers.backend.services.exchanges`); the form checks the
order as soon as it is known, so a customer hears at once why an order cannot be
exchanged ("已签收 20 天，超过 15 天换货期"), and resolves the size or colour they named
("大一码", "43码", "白色的") against the variants in stock. Progress questions are in
:mod:`actions.exchange_status`, disputed returns in :mod:`actions.return_disputes`.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_before_latest_message, said_in_form
from actions.exchange_parsing import (
    COLOUR,
    DEFECT,
    SIZE,
    names_variant,
    ordered_size_meant,
    parse_exchange_reason,
    resolve_variant,
    variant_label,
)
from actions.form_confirmation import RESTATED
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.parsing import parse_order_id
from actions.services import backend
from actions.typed_answers import shown_buttons
from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.exchanges import ExchangeCheck, ExchangeVariant

logger = logging.getLogger(__name__)

REASON_LABELS = {SIZE: "尺码不合适", COLOUR: "颜色不合适", DEFECT: "质量问题"}
# What a customer can do instead, by refusal.
ALTERNATIVES = {
    "exchange_window_passed": (
        "如果商品有质量问题，可以在保修期内申请维修；其他情况回复「转人工」由人工客服为您处理。"
    ),
    "not_exchangeable": "如果收到的商品有质量问题，回复「转人工」，人工客服会为您核实处理。",
    "exchange_not_allowed": "签收后再来找我办理换货就可以啦。",
    "order_closed": "如有其他问题，回复「转人工」由人工客服为您处理。",
    "exchange_exists": "回复「换货进度」可以查看进行中的换货。",
}
FORM = "exchange_form"
NOT_ALLOWED = "utter_exchange_not_allowed"
STILL_NOT_ALLOWED = "utter_exchange_still_not_allowed"  # said instead of a repeat


async def exchange_check(tracker: Tracker, order_id: str | None = None) -> ExchangeCheck | None:
    """The backend's exchange check of the form's order for the identified customer.

    ``None`` for an anonymous sender, a missing order or another customer's order.

    Raises:
        BackendUnavailable: the backend is down.
    """
    order_id = order_id or parse_order_id(tracker.get_slot("order_id"))
    customer_id = (await identify(tracker)).customer_id
    if order_id is None or customer_id is None:
        return None
    return await backend().check_exchange(order_id, customer_id)


def in_stock(check: ExchangeCheck) -> list[ExchangeVariant]:
    """The sibling variants that can be sent (size/colour exchanges)."""
    return [variant for variant in check.variants if variant.in_stock]


def options_text(check: ExchangeCheck) -> str:
    """``黑色 43 码、白色 42 码`` (in stock), for the questions and the refusals."""
    return "、".join(variant_label(variant) for variant in in_stock(check)) or "暂无"


class ValidateExchangeForm(ZhikeFormValidationAction):
    """Order, reason (size / colour / defect), the variant wanted and a confirmation.

    A defect exchange sends the same SKU again: no variant is asked.
    """

    needs_customer = True
    confirm_words = ("换", "换货")

    def name(self) -> str:
        """See the base class."""
        return "validate_exchange_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Without the variant question for a defect."""
        if tracker.get_slot("exchange_reason") == DEFECT:
            return [slot for slot in domain_slots if slot != "exchange_sku"]
        return domain_slots

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Another customer's order is not found; an ineligible one ends the form at once."""
        try:
            check = await exchange_check(tracker, order_id)
        except BackendUnavailable:
            return None  # the submit action apologises with a ticket
        if (await identify(tracker)).customer_id is None:
            return None
        if check is None:
            return self.reject(
                "order_id", dispatcher, tracker, "utter_order_not_found", order_id=order_id
            )
        refused_just_now = said_before_latest_message(tracker, NOT_ALLOWED, STILL_NOT_ALLOWED)
        if not check.eligible and refused_just_now:
            # "颜色不喜欢", "换成白色的" after the refusal: not the same words again
            dispatcher.utter_message(response=STILL_NOT_ALLOWED)
            return {"order_id": order_id, "focus_order": order_id, "form_gave_up": True}
        if not check.eligible:
            dispatcher.utter_message(
                response=NOT_ALLOWED,
                reason=check.message,
                alternative=ALTERNATIVES.get(check.code or "", ""),
            )
            return {"order_id": order_id, "focus_order": order_id, "form_gave_up": True}
        return None

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """As for any order; a size alone after "想换大一码" is the size wanted, not the order.

        "43码" asked which order, with a pair in 42 and one in 43 offered: the pair in 42
        is exchanged for 43, not the 43 one "exchanged" again.
        """
        requested = tracker.get_slot("requested_slot")
        if requested == "order_id" and not tracker.get_slot("order_id"):
            text = self.latest_text(tracker)
            earlier = " ".join(said_in_form(tracker, self.form_name())[:-1])
            ordered = ordered_size_meant(text, earlier)
            pattern = re.compile(rf"(?<!\d){ordered}\s*[码号]") if ordered else None
            shown = shown_buttons(tracker, self.form_name()) if pattern else []
            fits = [b for b in shown if pattern and pattern.search(str(b.get("title") or ""))]
            order_id = parse_order_id(fits[0].get("payload")) if len(fits) == 1 else None
            if order_id:
                return {"order_id": order_id, "exchange_wish": text}
        return await super().extract_order_id(dispatcher, tracker, domain)

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The order; a size or colour named with the request ("换大一码") is taken too."""
        result = await super().validate_order_id(value, dispatcher, tracker, domain)
        if not result.get("order_id") or result.get("form_gave_up"):
            return result
        return {**result, **await self._from_wish(result["order_id"], dispatcher, tracker)}

    async def _from_wish(
        self,
        order_id: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        wish: str | None = None,
    ) -> dict[str, Any]:
        wish = wish or tracker.get_slot("exchange_wish")
        reason = tracker.get_slot("exchange_reason")
        if not wish or reason == DEFECT or tracker.get_slot("exchange_sku"):
            return {}
        try:
            check = await exchange_check(tracker, order_id)
        except BackendError:
            return {}
        variant = resolve_variant(wish, check) if check is not None else None
        if check is None or variant is None:
            return {}
        if not variant.in_stock:
            self._out_of_stock(dispatcher, variant, check)
            return {"exchange_reason": reason or SIZE}
        return self._chosen(variant, check)

    @staticmethod
    def _chosen(variant: ExchangeVariant, check: ExchangeCheck) -> dict[str, Any]:
        reason = COLOUR if variant.colour != check.colour else SIZE
        return {"exchange_sku": variant.sku, "exchange_reason": reason}

    @staticmethod
    def _out_of_stock(
        dispatcher: CollectingDispatcher, variant: ExchangeVariant, check: ExchangeCheck
    ) -> None:
        dispatcher.utter_message(
            response="utter_exchange_out_of_stock",
            variant=variant_label(variant),
            options=options_text(check),
        )

    # --- the reason ---------------------------------------------------------------------

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """The reason said again at the confirmation ("不加热了" for a defect): asked again.

        Given up, "不加热了" got 「您是想咨询…」 with a refund first.
        """
        reason = tracker.get_slot("exchange_reason")
        if reason and parse_exchange_reason(text) == reason:
            return {"confirmed": RESTATED}
        return {}

    async def extract_exchange_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """From the request itself ("鞋子小了"), a typed button, or the answer.

        A size or colour named with the request ("想换大一码") is kept as
        ``exchange_wish`` until the order is known (see :meth:`validate_order_id`).
        """
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            text = self.latest_text(tracker)
            found: dict[str, Any] = {}
            if names_variant(text):
                found["exchange_wish"] = text
            reason = parse_exchange_reason(text)
            if reason and not tracker.get_slot("exchange_reason"):
                found["exchange_reason"] = reason
            return found
        if tracker.get_slot("exchange_reason"):
            return {}
        return self.offered_option("exchange_reason", tracker, domain) or self.text_answer(
            "exchange_reason", tracker, free_text=True
        )

    async def validate_exchange_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Size, colour or defect; a size/colour exchange needs a variant in stock.

        (A variant taken with the order this turn may have set the reason already.)
        """
        reason = parse_exchange_reason(tracker.get_slot("exchange_reason") or value)
        order_id = tracker.get_slot("order_id")
        if reason != DEFECT and order_id and names_variant(value):
            # "43", "43码" to 「想换货的原因是什么呢？」: the size wanted, so the size is the
            # reason (was: "43码" the reason only, and the size asked for after it)
            wished = await self._from_wish(order_id, dispatcher, tracker, str(value))
            if wished:
                return wished
        if reason is None:
            return self.reject("exchange_reason", dispatcher, tracker)
        kept = {"exchange_wish": tracker.get_slot("exchange_wish")}
        if reason == DEFECT:
            return {"exchange_reason": reason, **kept}
        try:
            check = await exchange_check(tracker)
        except BackendError:
            check = None
        if check is not None and check.eligible and not in_stock(check):
            dispatcher.utter_message(response="utter_exchange_no_variants", name=check.name)
            return {"exchange_reason": reason, "form_gave_up": True, **kept}
        return {"exchange_reason": reason, **kept}

    # --- the variant --------------------------------------------------------------------

    async def extract_exchange_sku(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A typed button ("2", "黑色 43 码") or words ("大一码") when the variant is asked."""
        if tracker.get_slot("exchange_sku"):
            return {}
        return self.offered_option("exchange_sku", tracker, domain) or self.text_answer(
            "exchange_sku", tracker, free_text=True
        )

    async def validate_exchange_sku(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A sibling variant in stock; an out-of-stock one is explained and asked again."""
        try:
            check = await exchange_check(tracker)
        except BackendError:
            return {"exchange_sku": str(value)}  # the submit action apologises
        if check is None:
            return {"exchange_sku": str(value)}
        variant = resolve_variant(value, check)
        if variant is None:
            return self.reject("exchange_sku", dispatcher, tracker, options=options_text(check))
        if not variant.in_stock:  # explained once (not 「没有找到这个尺码」 too): no failure
            self._out_of_stock(dispatcher, variant, check)
            return {"exchange_sku": None}
        return self._chosen(variant, check)


class ActionAskExchangeSku(Action):
    """Asks which size or colour, with a button for each variant in stock."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_exchange_sku"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The in-stock variants as buttons (the question alone when the backend is down)."""
        try:
            check = await exchange_check(tracker)
        except BackendError:
            check = None
        variants = in_stock(check) if check is not None else []
        buttons = [
            {
                "title": variant_label(variant),
                "payload": "/inform" + json.dumps({"exchange_sku": variant.sku}),
            }
            for variant in variants[:6]
        ]
        dispatcher.utter_message(
            response="utter_ask_exchange_sku",
            name=check.name if check is not None else "商品",
            buttons=buttons,
        )
        return []


class ActionAskExchangeConfirmed(Action):
    """Says what will be exchanged for what ("黑色 42 码 → 黑色 43 码"), then asks."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_exchange_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The summary (when the backend answers), then the yes/no question."""
        reason = tracker.get_slot("exchange_reason") or DEFECT
        try:
            check = await exchange_check(tracker)
        except BackendError:
            check = None
        if check is not None:
            chosen = next(
                (v for v in check.variants if v.sku == tracker.get_slot("exchange_sku")), None
            )
            if reason == DEFECT or chosen is None:
                target = "为您换一件全新的同款商品"
            else:
                own = " ".join(part for part in (check.colour, f"{check.size} 码") if part)
                target = f"{own} 换成 {variant_label(chosen)}"
            dispatcher.utter_message(
                response="utter_exchange_summary",
                order_id=check.order_id,
                name=check.name,
                reason_label=REASON_LABELS.get(reason, "换货"),
                target=target,
            )
        dispatcher.utter_message(response="utter_ask_exchange_form_confirmed")
        return []
