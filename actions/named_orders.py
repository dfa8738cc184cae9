"""The order a customer named by its goods: "鞋子磨脚 我要退货" means the running shoes.

Customers name what they bought, not the order number ("我买的榨汁机…", "空调什么时候
装"). When the robot asks "请问是哪一笔订单呢？", the orders whose goods the customer
named come first, so the shoes are the first button instead of the sixth, hidden one.
Goods are matched by their names in the business system: a pair of characters of the
customer's words found in an item's name ("空调", "手机"), or a one-character noun said
with its suffix ("鞋子" -> 跑步鞋). Only the order of the buttons changes: every order
the question offered is still offered, and a typed order number works as before; when the
words name exactly one of them, that one alone is offered, and a yes takes it
(:func:`the_one_named`: "空调到货了 什么时候能来装", one air conditioner not installed). A reply
to the question that names the goods of exactly one of those orders ("就那个跑鞋") is that
order (:func:`order_named`). The courier names an order too ("韵达那单").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rasa_sdk import Tracker

from actions.context import said_in_form
from actions.own_orders import form_asking, orders_for, recent_orders
from zhike.lib.backend_client import BackendError, Order
from zhike.lib.backend_client.domain import SHIPPED

# Character pairs of a customer's words that name no goods (the request's own words).
_NOT_GOODS = re.compile(
    r"订单|快递|物流|包裹|东西|商品|宝贝|退货|退款|换货|发票|地址|电话|手机号|号码|"
    r"取消|售后|客服|价保|保价|安装|师傅|时间|时候|多久|什么|怎么|为什么|还没|已经|今天|昨天|明天"
)
# "鞋子", "袜子", "杯子": the noun is the one character before 子.
_NOUN_SUFFIX = re.compile(r"([\u4e00-\u9fff])子")
# A pair with one of these characters is grammar, not goods ("我的", "买的", "写错").
_FUNCTION_CHARACTERS = frozenset(
    "的了吗呢吧啊么嘛呀我你他她它们要是在有个这那就都还也把给买错来去到说想能会可以一下"
)
_ONE_CHARACTER_GOODS = frozenset("鞋袜裙杯帽被箱包瓶盒罐")
# Brands customers write in Chinese that the business system lists in Latin letters.
_BRANDS = {
    "红米": "redmi",
    "小米": "xiaomi",
    "华为": "huawei",
    "荣耀": "honor",
    "三星": "samsung",
    "苹果": "iphone",
    "耐克": "nike",
    "阿迪": "adidas",
}
_CJK = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")


def said_for_the_form(tracker: Tracker) -> str:
    """What the customer wrote since the active form started (else the latest message).

    "鞋子磨脚 我需要退货" opened the refund; the goods are named there, not in the
    identity check's answers that may come between.
    """
    loop = (tracker.active_loop or {}).get("name")
    said = said_in_form(tracker, loop) if loop else []
    return " ".join(said) or str((tracker.latest_message or {}).get("text") or "")


def goods_words(text: str) -> set[str]:
    """What in ``text`` may name goods: character pairs and one-character nouns."""
    folded = _NOT_GOODS.sub(" ", text.lower())
    words: set[str] = set()
    for run in _CJK.findall(folded):
        if run.isascii():
            if len(run) >= 3 and not run.isdigit():  # "iphone", "note13"; not a quantity
                words.add(run)
            continue
        pairs = (run[i : i + 2] for i in range(len(run) - 1))
        words.update(pair for pair in pairs if not _FUNCTION_CHARACTERS.intersection(pair))
    words.update(m for m in _NOUN_SUFFIX.findall(folded) if m in _ONE_CHARACTER_GOODS)
    words.update(_BRANDS[word] for word in list(words) if word in _BRANDS)  # 红米 -> redmi
    return words


def _names(order: Order, words: set[str]) -> bool:
    """Whether one of ``words`` is in the name of one of the order's items, or its courier's.

    "那个顺丰的明天能到不": the orders shipped with 顺丰.
    """
    names = [item.name.lower().replace(" ", "") for item in order.items]
    return _by_courier(order, words) or any(word in name for name in names for word in words)


def _by_courier(order: Order, words: set[str]) -> bool:
    """Whether one of ``words`` names the order's courier ("顺丰" for 顺丰速运)."""
    courier = order.logistics.courier.lower() if order.logistics is not None else ""
    return bool(courier) and any(word in courier for word in words)


def named_first(text: str, orders: Sequence[Order]) -> list[Order]:
    """``orders`` with those whose goods ``text`` names first, otherwise in their order."""
    words = goods_words(text)
    if not words:
        return list(orders)
    # a courier is asked about for the parcels it carries now: those first of its orders
    return sorted(
        orders,
        key=lambda order: (
            not _names(order, words),
            not (_by_courier(order, words) and order.status == SHIPPED),
        ),
    )


def the_one_named(text: str, orders: Sequence[Order]) -> Order | None:
    """The one of ``orders`` whose goods (or courier) ``text`` names, else ``None``."""
    words = goods_words(text)
    named = [order for order in orders if words and _names(order, words)]
    return named[0] if len(named) == 1 else None


async def orders_named(tracker: Tracker, text: str) -> list[str]:
    """The orders the active form may be about whose goods ``text`` names.

    Empty for an anonymous sender, for words naming no goods, and when the business
    system fails (the question is asked again).
    """
    return (await goods_named(tracker, text))[0]


async def goods_named(tracker: Tracker, text: str) -> tuple[list[str], list[str]]:
    """The orders whose goods ``text`` names: those the form may be about, and all of them.

    One lookup of the customer's recent orders for both. "就是那个手机" in the address
    form names the phone orders even when they have shipped (none offered): the form
    says why they cannot change.
    """
    named, orders = await _named_by_goods(tracker, text)
    eligible = {order.order_id for order in orders_for(form_asking(tracker), orders)}
    return [o.order_id for o in named if o.order_id in eligible], [o.order_id for o in named]


async def _named_by_goods(tracker: Tracker, text: str) -> tuple[list[Order], list[Order]]:
    """The customer's recent orders whose goods ``text`` names, and all recent orders.

    No lookup when ``text`` names no goods.
    """
    words = goods_words(text)
    orders = await _recent(tracker) if words else []
    return [order for order in orders if _names(order, words)], orders


async def _recent(tracker: Tracker) -> list[Order]:
    try:
        return list(await recent_orders(tracker) or [])
    except BackendError:
        return []


async def order_named(tracker: Tracker, text: str) -> str | None:
    """The one order the active form may be about whose goods ``text`` names, or None.

    None also for the goods of several orders ("手机" with two phones bought: the
    buttons decide, see :func:`orders_named`).
    """
    named = await orders_named(tracker, text)
    return named[0] if len(named) == 1 else None


async def order_named_by_goods(tracker: Tracker, text: str) -> Order | None:
    """The one recent order of the customer whose goods ``text`` names, whatever its status.

    None for an anonymous sender, for words naming no goods or the goods of several
    orders, and when the business system fails.
    """
    named, _ = await _named_by_goods(tracker, text)
    return named[0] if len(named) == 1 else None
