"""The order a form is about: the ``order_id`` slot every form shares.

A mixin of :class:`actions.forms.ZhikeFormValidationAction`. The order is taken from a
picked button ("2"), a typed number, a pasted order card, the courier's tracking number,
the goods the customer names ("就那个跑鞋") or, asked nothing yet, the order just talked
about ("那帮我取消吧"). A reply that names the goods of several orders ("鞋子", two pairs
bought) is asked which of them; an unsure question asked instead ("能开发票吗") is no
answer at all, and the fallback asks what is meant.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import focus_order, mentioned_order
from actions.form_binding import has_digit
from actions.form_parts import FormPart
from actions.identity import identify
from actions.named_orders import goods_named, orders_named
from actions.own_orders import recent_orders
from actions.parsing import parse_order_id, typed_text
from actions.tracking_numbers import order_with_tracking, tracking_number
from actions.typed_parsing import asks_instead_of_order, looks_like_order_card
from zhike.common.choices import naming_core
from zhike.common.topic_names import FOCUS_ORDER_SLOT, UNSURE
from zhike.lib.backend_client import BackendError

# Forms that look an order up (no change): the goods named in the request pick the order.
LOOKUPS = frozenset(
    {
        "order_id_form",
        "refund_status_form",
        "exchange_status_form",
        "invoice_status_form",
        "courier_contact_form",
    }
)
# Set when an anonymous customer does not know the order number: verify them by phone.
VERIFY_BY_PHONE_SLOT = "verify_by_phone"


class OrderSlot(FormPart):
    """Extraction and validation of ``order_id``, and the hook for the order's rules."""

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A picked order button ("2"), an order card whatever the NLU made of it, or text.

        A reply without a well-formed number still reaches validation (to explain).
        """
        if tracker.get_slot("order_id"):
            return {}
        text = self.latest_text(tracker)
        requested = tracker.get_slot("requested_slot")
        focus = focus_order(tracker)
        if requested is None and parse_order_id(text) is None:
            tail = await _order_ending_in(tracker, text, opening=True)
            if tail is not None:  # "1204的空调还没发吧？帮我改个地址": HP20241204
                return {"order_id": tail}
        if requested is None and focus and not mentioned_order(tracker):
            return {"order_id": focus}  # "那帮我取消吧" right after looking at an order
        if requested is None and tracker.active_loop_name in LOOKUPS and not has_digit(text):
            # "我上周买的那个破壁机 退款退到哪了": the one order of those goods, not asked
            # (a lookup only: a change asks, the goods named first among its buttons)
            opening = await orders_named(tracker, text)
            if len(opening) == 1:
                return {"order_id": opening[0]}
        if tracker.get_slot("requested_slot") == "order_id" and looks_like_order_card(text):
            return {"order_id": parse_order_id(text) or text}
        unsure = ((tracker.latest_message or {}).get("intent") or {}).get("name") == UNSURE
        asks = unsure and asks_instead_of_order(text) and not self.impatient(tracker)
        naming = requested == "order_id" and naming_core(text) is not None
        named = await orders_named(tracker, text) if asks or naming else []
        if asks and not named:
            return {}  # "好的 对了 能开发票吗", unsure: the fallback asks what is meant
        offered = self.offered_option("order_id", tracker, domain)
        if not offered and naming and len(named) == 1:
            # "是那个破壁机的" (DIET: a product question): the one order of those goods
            offered = {"order_id": named[0]}
        return offered or self.text_answer("order_id", tracker)

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accepts HP + 8 digits in any case or width; anything else is re-asked.

        A tracking number stands for the customer's own order shipped under it.

        The order taken is the conversation's order in focus from now on. A detail of
        the request said instead (a company's name or tax number for an invoice, a refund's
        reason: :meth:`noted_detail`) is noted for later and the order asked again.
        """
        parsed = parse_order_id(value)
        tracking = tracking_number(value) if parsed is None else None
        if tracking is not None:  # the courier's number: the customer's order shipped under it
            parsed = await order_with_tracking(tracker, tracking)
            if parsed is None:
                return self.reject("order_id", dispatcher, tracker, "utter_order_id_is_tracking")
        text = typed_text(value)
        detail = self.noted_detail(text, tracker) if parsed is None else None
        if detail is not None:  # "公司的 上海某某有限公司" asked which order: for later
            dispatcher.utter_message(response="utter_detail_noted", detail=detail)
            return {"order_id": None}
        named, elsewhere = ([], []) if has_digit(text) else await goods_named(tracker, text)
        if parsed is None and len(named) == 1:
            parsed = named[0]  # "就那个跑鞋"
        if parsed is None and not has_digit(text):
            # "我不知道订单号": (known) the buttons will do, or where to find it and, for
            # an anonymous customer, the phone check that lists their orders to pick from
            if named:  # "鞋子", two pairs bought
                core = naming_core(text)
                if core is None:  # "装电视那个先取消吧 等新的到了再说": no sentence is a name
                    dispatcher.utter_message(response="utter_pick_one")
                    return {"order_id": None}
                return self.which_named("order_id", dispatcher, core)
            if (await identify(tracker)).customer_id is None:
                dispatcher.utter_message(response="utter_order_id_help")
                return {"order_id": None, VERIFY_BY_PHONE_SLOT: True}
            if len(elsewhere) > 1:  # "那个手机", two phones, neither offered
                dispatcher.utter_message(
                    response="utter_named_not_offered",
                    named=naming_core(text) or text,
                    orders="、".join(elsewhere),
                )
                return {"order_id": None}
            if not elsewhere:
                return self.reject("order_id", dispatcher, tracker, "utter_order_id_help_known")
            parsed = elsewhere[0]  # "就是那个手机", shipped: the rules below say why not
        if parsed is None:
            parsed = await _order_ending_in(tracker, text)  # "1201": HP20241201, not listed
        if parsed is None:
            return self.reject("order_id", dispatcher, tracker)
        problem = await self.check_order(parsed, dispatcher, tracker)
        if problem is not None:
            return problem
        return {"order_id": parsed, FOCUS_ORDER_SLOT: parsed}

    async def check_order(
        self, order_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Hook: the business rules for ``order_id``, checked before anything is asked.

        Returns ``None`` when the form may go on, else the slots that end or re-ask it (a
        shipped order is not offered cancellation: the customer hears why at once).
        """
        return None

    async def after_binding(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Checks the order taken before the customer was known (see :meth:`check_order`)."""
        order_id = parse_order_id(tracker.get_slot("order_id"))
        if order_id is None:
            return {}
        return await self.check_order(order_id, dispatcher, tracker) or {}


# "1201", "尾号0001的", "0001结尾那个": the last digits of an order number, as the reply
_TAIL = re.compile(
    r"^(?:尾号|末尾|后四位|最后)?(?:是|为)?\s*(\d{3,6})\s*(?:结尾|尾号)?(?:的|那个|那单|这个)?"
    r"(?:订单|单子)?$"
)
# "1204的空调还没发吧", "1405那台空调不制冷了": four digits naming an order in a request
# (not a phone's last digits, a price, a date or a time)
_TAIL_IN_REQUEST = re.compile(
    r"(?<![\d:：.\-/年月尾号机话码¥￥])(\d{4})(?=的|那|这|号订单|订单|单子)(?![\d])"
)


async def _order_ending_in(tracker: Tracker, text: str, opening: bool = False) -> str | None:
    """The one order of the known customer whose number ends in the digits typed, if any.

    The buttons show the newest five orders; "1201" typed for HP20241201, older, was 「订单号
    格式好像不太对」. An anonymous sender's orders are not known: ``None``. ``opening``:
    the request itself ("1204的空调还没发吧？帮我改个地址"), whose other words stay.
    """
    match = (_TAIL_IN_REQUEST.search if opening else _TAIL.match)(text.strip())
    if match is None:
        return None
    try:
        orders = await recent_orders(tracker)
    except BackendError:
        return None
    ending = [order.order_id for order in orders or [] if order.order_id.endswith(match.group(1))]
    return ending[0] if len(ending) == 1 else None
