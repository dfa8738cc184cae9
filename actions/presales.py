"""Pre-sales (售前) questions answered from the catalogue: stock, spec, fit, delivery, fees.

``action_presales_answer`` runs for ``ask_product`` and ``ask_shipping``. The product is
looked up with the customer's own words (the backend's search, not a list in the NLU);
the conversation remembers it (slot ``presales_product``) and the region (slot
``presales_region``), so "那发到成都要几天" and "运费多少" after a product question mean
that product. What the data cannot answer -- an unknown product, a spec the catalogue
does not list, a comparison ("这款和那款哪个好") or a recommendation ("买哪款合适") -- is said
honestly and goes to the 售前 (presales) agent group: a comparison or a recommendation is
handed over at once, the rest offer 转人工.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import remind_active_form
from actions.identity import input_channel
from actions.knowledge import answer_if_known
from actions.parsing import normalize_text
from actions.presales_text import (
    COMPARE,
    DELIVERY,
    FEE,
    FIT,
    PRICE,
    RECOMMEND,
    SPEC,
    STOCK,
    asked_spec,
    aspects_of,
    delivery_text,
    fee_text,
    fit_text,
    price_text,
    quantity_of,
    spec_text,
    stock_text,
    summary_text,
)
from actions.product_links import has_link, linked_sku, without_links
from actions.services import backend
from zhike.common.handoff_names import HANDOFF_ACTION
from zhike.lib.backend_client import BackendError, BackendUnavailable
from zhike.lib.backend_client.presales.domain import Product, ProductMatch

logger = logging.getLogger(__name__)

PRODUCT_SLOT = "presales_product"
REGION_SLOT = "presales_region"
HANDOFF_BUTTONS = [
    {"title": "转售前客服", "payload": "/human_handoff"},
    {"title": "不用了", "payload": "/deny"},
]
SHOWN_CHOICES = 3
# Questions about delivery and fees in general ("运费怎么算"): without a product they get
# the shops' rules; a product question (ask_product) without a product is an unknown one.
SHIPPING_INTENT = "ask_shipping"


def _ties(matches: list[ProductMatch]) -> list[Product]:
    """The best matches that score the same (several products the words fit equally)."""
    best = matches[0]
    main = best.product.category != "accessory"
    return [
        m.product
        for m in matches
        if m.score == best.score and (m.product.category != "accessory") == main
    ]


class ActionPresalesAnswer(Action):
    """Answers a pre-sales question from the backend's product data (see the module)."""

    def name(self) -> str:
        """See the base class."""
        return "action_presales_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Finds the product, answers each aspect asked, or says what it cannot answer."""
        asked = question_text(tracker)
        text = without_links(asked)  # the words; a pasted link names the product
        aspects = aspects_of(text)
        adviser = next((a for a in (COMPARE, RECOMMEND) if a in aspects), None)
        if adviser is not None:  # which to buy: the presales adviser, at once
            dispatcher.utter_message(response=f"utter_presales_{adviser}")
            return [FollowupAction(HANDOFF_ACTION)]
        try:
            if has_link(asked):
                linked = await self._linked(asked)
                if linked is None:
                    dispatcher.utter_message(
                        response="utter_presales_unknown_link", buttons=HANDOFF_BUTTONS
                    )
                    return [SlotSet(PRODUCT_SLOT, None)]
                events = await self._answer(dispatcher, tracker, text, aspects, linked)
            else:
                events = await self._answer(dispatcher, tracker, text, aspects)
        except BackendUnavailable as error:
            logger.warning("Pre-sales lookup failed: %s", error)
            dispatcher.utter_message(response="utter_presales_unavailable")
            return []
        remind_active_form(dispatcher, tracker)
        return events

    async def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        text: str,
        aspects: list[str],
        linked: Product | None = None,
    ) -> list[dict[str, Any]]:
        found, named = ([linked], ()) if linked else await self._find(text)
        if len(found) > 1:
            names = "；".join(f"「{p.name}」" for p in found[:SHOWN_CHOICES])
            dispatcher.utter_message(response="utter_presales_which", choices=names)
            return []
        if found:
            product: Product | None = found[0]
        elif named and FIT not in aspects:  # "华为手机": a kind or brand the shop doesn't sell
            product = None
        else:  # "那发到成都要几天", "能用在iPhone15上吗": the product being discussed
            product = await self._remembered(tracker)
        if product is not None and not product.in_stock:  # when it is back
            product = await backend().get_product(product.sku) or product
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if product is None and intent == SHIPPING_INTENT:
            if FEE in aspects or DELIVERY not in aspects:
                return await self._fee_rules(dispatcher)
            # "发新疆乌鲁木齐能到吗 要几天": where the shop delivers and how long it takes in
            # general, from the knowledge base, then the days of one product are offered
            await answer_if_known(dispatcher, text, input_channel(tracker), suggested=True)
            dispatcher.utter_message(response="utter_presales_ask_product")
            return []
        if product is None and not named:  # "是什么颜色的?": no product said, none before
            dispatcher.utter_message(response="utter_presales_which_product")
            return []
        if product is None:
            dispatcher.utter_message(response="utter_presales_unknown", buttons=HANDOFF_BUTTONS)
            return [SlotSet(PRODUCT_SLOT, None)]
        events: list[dict[str, Any]] = [SlotSet(PRODUCT_SLOT, product.sku)]
        said: list[str] = []
        if FIT in aspects:
            result = await backend().check_compatibility(product.sku, text)
            if result is not None:
                said.append(fit_text(product, result))
        if STOCK in aspects:
            said.append(stock_text(product))
        if PRICE in aspects:
            said.append(price_text(product))
        if SPEC in aspects and FIT not in aspects:
            fields = asked_spec(product, text)
            said.append(
                f"「{product.name}」{spec_text(product, fields)}。"
                if fields
                else f"「{product.name}」的主要参数：{spec_text(product)}。"
            )
        if DELIVERY in aspects or FEE in aspects:
            events += await self._shipping(dispatcher, tracker, product, text, aspects, said)
        if not said:
            said.append(summary_text(product))
        for sentence in said:
            dispatcher.utter_message(text=sentence)
        if FIT in aspects and said and "没法确定" in said[0]:
            dispatcher.utter_message(response="utter_presales_offer_agent", buttons=HANDOFF_BUTTONS)
        return events

    async def _find(self, text: str) -> tuple[list[Product], tuple[str, ...]]:
        """The products the words name (several when equally) and the catalogue words."""
        try:
            found = await backend().search_products(text[:200])
        except BackendError as error:
            if isinstance(error, BackendUnavailable):
                raise
            return [], ()
        return (_ties(list(found.matches)) if found.matches else []), found.named

    async def _linked(self, text: str) -> Product | None:
        """The product of the link pasted (None: not one of the shop's product pages)."""
        sku = linked_sku(text)
        if sku is None:
            return None
        try:
            return await backend().get_product(sku)
        except BackendError as error:
            if isinstance(error, BackendUnavailable):
                raise
            return None

    async def _remembered(self, tracker: Tracker) -> Product | None:
        sku = tracker.get_slot(PRODUCT_SLOT)
        return await backend().get_product(str(sku)) if sku else None

    async def _fee_rules(self, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        rules = await backend().shipping_rules()
        lines = "\n".join(f"· {rule.text}" for rule in rules)
        dispatcher.utter_message(response="utter_presales_fee_rules", rules=lines)
        return []

    async def _shipping(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        product: Product,
        text: str,
        aspects: list[str],
        said: list[str],
    ) -> list[dict[str, Any]]:
        """Delivery days and/or fee; remembers the region named."""
        quantity = quantity_of(text)
        remembered = tracker.get_slot(REGION_SLOT)
        try:
            quote = await backend().shipping_quote(product.sku, text, quantity)
        except BackendError as error:
            if isinstance(error, BackendUnavailable):
                raise
            if error.code == "region_not_served":
                said.append(f"{error}。")
                return []
            if error.code != "unknown_region":
                raise
            quote = await backend().shipping_quote(product.sku, remembered or None, quantity)
        if quote is None:
            return []
        if DELIVERY in aspects:
            if quote.region is None and quote.in_stock:
                said.append(
                    f"请问要发到哪个省市呢？告诉我地区（如「四川成都」），"
                    f"我帮您查「{product.name}」的送达时间。"
                )
            else:
                said.append(delivery_text(product, quote))
        if FEE in aspects:
            said.append(fee_text(product, quote))
        return [SlotSet(REGION_SLOT, quote.region)] if quote.region else []


def question_text(tracker: Tracker) -> str:
    """The customer's question: the latest message typed (not a button's ``/intent``).

    After "您是想咨询…" the customer's choice (``/ask_product``) stands for the words typed
    before it.
    """
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = normalize_text(event.get("text"))
        if text and not text.startswith("/"):
            return text
    return normalize_text((tracker.latest_message or {}).get("text"))
