"""A product page pasted into the chat names the product (actions/product_links.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.presales import PRODUCT_SLOT, ActionPresalesAnswer
from actions.product_links import LINK_PATTERN_ENV, has_link, linked_sku, without_links

from .conftest import Turn


@pytest.mark.parametrize(
    ("text", "sku", "words"),
    [
        ("https://shop.example.com/item/RM-N13P-8256-BK.html有货吗", "RM-N13P-8256-BK", "有货吗"),
        ("味道酸吗 https://shop.example.com/item/965130.html", "965130", "味道酸吗"),
        ("https://item.taobao.com/item.htm?id=6543&spm=a1 还有吗", "6543", "还有吗"),
        (
            "看下这个 https://m.shop.cn/products/GREE-KFR35-YT?from=share",
            "GREE-KFR35-YT",
            "看下这个",
        ),
        ("https://www.example.com/s?wd=空调 这个呢", None, "空调 这个呢"),
        ("有货吗", None, "有货吗"),
    ],
)
def test_the_sku_is_read_from_the_link_and_the_words_around_it(
    text: str, sku: str | None, words: str
) -> None:
    assert linked_sku(text) == sku
    assert without_links(text) == words


def test_a_shop_sets_its_own_link_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    link = "https://mall.example.cn/p/12345?x=1 多少钱"
    assert linked_sku(link) is None and has_link(link)
    monkeypatch.setenv(LINK_PATTERN_ENV, r"mall\.example\.cn/p/(\d+)")
    assert linked_sku(link) == "12345"
    monkeypatch.setenv(LINK_PATTERN_ENV, r"mall\.example\.cn/p/\d+")  # no group: the default
    assert linked_sku(link) is None
    monkeypatch.setenv(LINK_PATTERN_ENV, r"mall(")  # broken: the default
    assert linked_sku("https://shop.example.com/item/A1.html") == "A1"


async def _ask(turn: Turn, text: str) -> tuple[str, list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionPresalesAnswer().run(dispatcher, turn(text, "ask_product"), {})
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return said, events, dispatcher


async def test_a_pasted_product_page_is_answered_for_that_product(anonymous: Turn) -> None:
    said, events, _ = await _ask(
        anonymous, "https://shop.example.com/item/GREE-KFR35-YT.html 这个还有货吗"
    )
    assert "格力 云佳 1.5 匹" in said and "目前有货" in said
    assert SlotSet(PRODUCT_SLOT, "GREE-KFR35-YT") in events


async def test_a_page_of_a_product_the_shop_does_not_have_is_said_honestly(
    anonymous: Turn,
) -> None:
    said, events, dispatcher = await _ask(
        anonymous, "味道酸吗 https://shop.example.com/item/965130.html"
    )
    assert said == "utter_presales_unknown_link"
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/human_handoff"
    assert SlotSet(PRODUCT_SLOT, None) in events
