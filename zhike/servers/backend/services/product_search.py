"""Finding products from a customer's words, and whether an accessory fits a device.

The catalogue is small, so every product is scored in Python (a real shop would ask its
search engine). A product's *terms* come from its name, brand, SKU, category label,
specification values and its search keywords (table ``product_keywords``); the score of a
query is the sum of the weights of the terms it contains:

* a search keyword (空调, 纸) or the brand: 4;
* a Latin word (``note``, ``pro``): its length, at most 6; the SKU without punctuation: 10;
* a number of two or more characters (``13``, ``65``, ``1.5``): 2;
* two Chinese characters side by side in the name (电视, 空调): 2; a single Chinese
  character standing alone (匹, 寸, 码): 1.

A product counts from :data:`MIN_SCORE` on. A query that names a brand (of the catalogue
or of :data:`OTHER_BRANDS`) only finds products of that brand: "华为手机" finds no
Redmi. On equal scores a product wins over an accessory for it ("Note 13 Pro" is the
phone, "Note 13 Pro 钢化膜" the screen protector).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from zhike.servers.backend.models import Product

MIN_SCORE = 4
CATEGORY_LABELS = {
    "phone": "手机",
    "accessory": "配件",
    "appliance": "家电",
    "office": "办公",
    "baby": "母婴",
    "food": "食品",
    "clothing": "服饰",
    "digital": "数码",
}
# Brands the shop does not sell: naming one finds nothing rather than another brand.
OTHER_BRANDS = (
    "华为", "huawei", "荣耀", "honor", "苹果", "apple", "iphone", "三星", "samsung", "oppo",
    "vivo", "一加", "美的", "海尔", "小天鹅", "tcl", "索尼", "sony", "创维", "戴森", "dyson",
    "耐克", "nike", "阿迪", "李宁", "特步", "帮宝适", "花王", "百草味", "良品铺子",
)  # fmt: skip
# The spec field of an accessory naming the devices it fits (one or more, / or 、 between).
FITS_FIELD = "适用机型"
_DEVICE_BRANDS = ("redmi", "红米", "xiaomi", "小米", "huawei", "华为", "honor", "荣耀",
                  "apple", "苹果", "samsung", "三星", "oppo", "vivo")  # fmt: skip
_DEVICE_RE = re.compile(
    r"(?:iphone|note|mate|nova|pura|galaxy|reno|find|mix|redmi|红米|小米|华为|荣耀|苹果|[kps])"
    r"\d{1,3}(?:pro\+?|max|plus|ultra|se|mini|\+)*"
)
_LATIN_RE = re.compile(r"[a-z]+|\d+(?:\.\d+)?[a-z]*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")


def normalize(text: str | None) -> str:
    """Full-width folded, lower case, no spaces; 英寸 and 吋 read as 寸."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    folded = folded.replace("英寸", "寸").replace("吋", "寸")
    return re.sub(r"\s+", "", folded)


def spec_of(product: Product) -> dict[str, str]:
    """The product's specification fields (an unreadable value reads as none)."""
    try:
        spec = json.loads(product.spec or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in spec.items()} if isinstance(spec, dict) else {}


def _terms(product: Product, keywords: Iterable[str]) -> dict[str, int]:
    terms: dict[str, int] = {}
    spaced = unicodedata.normalize("NFKC", " ".join(
        [product.name, product.brand, CATEGORY_LABELS.get(product.category, ""),
         *spec_of(product).values()]
    )).lower().replace("英寸", "寸").replace("吋", "寸")  # fmt: skip
    for word in _LATIN_RE.findall(spaced):
        if word[0].isdigit():
            if len(word) >= 2:
                terms[word] = 2
        elif len(word) >= 2:
            terms[word] = min(len(word), 6)
    for run in _CJK_RE.findall(spaced):
        if len(run) == 1:
            terms.setdefault(run, 1)
        for i in range(len(run) - 1):
            terms.setdefault(run[i : i + 2], 2)
    for word in (product.brand, *keywords):
        if normalize(word):  # never less than as a Latin word ("redmi": 5, not 4)
            terms[normalize(word)] = max(terms.get(normalize(word), 0), 4)
    terms[re.sub(r"[^a-z0-9]", "", product.sku.lower())] = 10
    return terms


def _names_brand(product: Product, keywords: list[str], brands: set[str]) -> bool:
    """Whether the product is of (or made for) one of ``brands``."""
    own = {normalize(product.brand), *(normalize(word) for word in keywords)}
    name = normalize(product.name)
    return bool(brands & own) or any(brand in name for brand in brands)


@dataclass(frozen=True)
class ProductMatch:
    """A product found for a query, with its score (higher is better)."""

    product: Product
    score: int


def rank_products(
    query: str, products: Iterable[Product], keywords: dict[str, list[str]], limit: int = 5
) -> list[ProductMatch]:
    """The products the query names, best first (see the module docstring).

    Args:
        query: the customer's words.
        products: the catalogue.
        keywords: search keywords by SKU.
        limit: at most this many matches.
    """
    text = normalize(query)
    if not text:
        return []
    compact = re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", text)
    catalogue = list(products)
    brands = {normalize(p.brand) for p in catalogue} | {normalize(b) for b in OTHER_BRANDS}
    named = {brand for brand in brands if brand and brand in text}
    found: list[tuple[int, bool, ProductMatch]] = []
    for product in catalogue:
        words = keywords.get(product.sku, [])
        if named and not _names_brand(product, words, named):
            continue
        score = sum(
            weight
            for term, weight in _terms(product, words).items()
            if term in text or term in compact
        )
        if score >= MIN_SCORE:
            main = product.category != "accessory"
            found.append((score, main, ProductMatch(product, score)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [match for _, _, match in found[: max(1, limit)]]


def named_words(
    query: str, products: Iterable[Product], keywords: dict[str, list[str]]
) -> list[str]:
    """The brands (sold or not) and search keywords the query names ("华为", "手机").

    A query that names some and finds no product names a product the shop does not sell
    (rather than "this one" of the conversation).
    """
    text = normalize(query)
    words = {normalize(b) for b in OTHER_BRANDS}
    words |= {normalize(p.brand) for p in products}
    words |= {normalize(word) for found in keywords.values() for word in found}
    return sorted(word for word in words if word and word in text)


@dataclass(frozen=True)
class Compatibility:
    """Whether a product fits the device a customer named.

    Attributes:
        answer: ``yes`` (a device it fits is named), ``no`` (another device is named) or
            ``unknown`` (no device named, or the product lists none it fits).
        fits: the devices the product is made for (spec ``适用机型``), maybe empty.
        device: the device found in the question, when one was.
    """

    answer: str
    fits: tuple[str, ...]
    device: str | None


def _device_keys(model: str) -> set[str]:
    key = normalize(model)
    keys = {key}
    for brand in _DEVICE_BRANDS:
        if key.startswith(brand) and len(key) > len(brand):
            keys.add(key[len(brand) :])
    return keys


def check_fit(product: Product, device_text: str) -> Compatibility:
    """Does ``product`` fit the device named in ``device_text`` (the customer's words)?"""
    raw = spec_of(product).get(FITS_FIELD, "")
    fits = tuple(part.strip() for part in re.split(r"[/、,，;；]", raw) if part.strip())
    text = normalize(device_text)
    if not fits:
        return Compatibility("unknown", (), None)
    for model in fits:
        if any(key in text for key in _device_keys(model)):
            return Compatibility("yes", fits, model)
    other = _DEVICE_RE.search(text)
    if other is not None:
        return Compatibility("no", fits, other.group(0))
    return Compatibility("unknown", fits, None)
