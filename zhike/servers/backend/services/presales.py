"""Pre-sales (售前) answers from the catalogue: search, details, fit, delivery and fees.

Public data: no customer identity is needed (a visitor may ask), though the API still
wants the backend key like every other route.

Delivery time: the days of the region (``shipping_regions``) from the platform's
warehouse -- 江浙沪 next day, most provinces 2–4 days, remote regions (新疆、西藏 ...)
longer -- plus the shop's ``extra_days`` when a third-party shop ships from its own
warehouse. Nothing ships while the product is out of stock: the quote says so and, when
known, when it is expected back (``product_restocks``).

Shipping fee (``shipping_rules``, per shop): ``base_fee_fen`` per order, nothing from
``free_over_fen`` of goods (price × quantity) when the shop sets it, and
``remote_extra_fen`` on top for a remote region whether or not the order ships free. The
demo: 京选自营 满 99 元免运费，不满 6 元，偏远地区加 10 元; a shop without a rule has
its fee on the product page (``fee_fen`` null).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Product
from zhike.servers.backend.services.product_search import (
    Compatibility,
    ProductMatch,
    check_fit,
    named_words,
    normalize,
    rank_products,
)
from zhike.servers.backend.tables.presales import (
    ProductKeyword,
    ProductRestock,
    ShippingRegion,
    ShippingRule,
)

QUERY_MAX = 200
MAX_QUANTITY = 99
NO_RULE_TEXT = "该店铺的运费以商品页面显示为准"


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class SearchResult:
    """The products found (best first) and the catalogue words the query names."""

    matches: list[ProductMatch]
    named: list[str]


async def search_products(session: AsyncSession, query: str, limit: int = 5) -> SearchResult:
    """The products a customer's words name, best first (see :mod:`.product_search`).

    Raises:
        ApiError: 422 ``invalid_query`` for an empty or over-200-character query.
    """
    if not isinstance(query, str) or not query.strip() or len(query) > QUERY_MAX:
        raise ApiError(422, "invalid_query", f"请提供 1-{QUERY_MAX} 个字的商品描述")
    products = (await session.scalars(select(Product))).all()
    keywords: dict[str, list[str]] = {}
    for row in (await session.scalars(select(ProductKeyword))).all():
        keywords.setdefault(row.sku, []).append(row.keyword)
    return SearchResult(
        rank_products(query, products, keywords, max(1, min(limit, 10))),
        named_words(query, products, keywords),
    )


async def get_product(session: AsyncSession, sku: str) -> Product | None:
    """The product ``sku`` (any case), or ``None``."""
    key = (sku or "").strip().upper()
    return await session.get(Product, key) if key else None


async def product_of(session: AsyncSession, sku: str) -> Product:
    """The product ``sku``; raises 404 ``product_not_found`` when there is none."""
    product = await get_product(session, sku)
    if product is None:
        raise ApiError(404, "product_not_found", f"商品 {sku} 不存在")
    return product


async def restock_of(session: AsyncSession, sku: str) -> datetime | None:
    """When the product is expected back in stock, if known."""
    row = await session.get(ProductRestock, sku)
    return None if row is None else row.expected_at


async def compatibility(session: AsyncSession, sku: str, device: str) -> Compatibility:
    """Whether the product fits the device named in ``device`` (the customer's words).

    Raises:
        ApiError: 404 ``product_not_found``; 422 ``invalid_query`` for an empty or
            over-200-character ``device``.
    """
    product = await product_of(session, sku)
    if not isinstance(device, str) or not device.strip() or len(device) > QUERY_MAX:
        raise ApiError(422, "invalid_query", "请说明要搭配使用的机型")
    return check_fit(product, device)


async def find_region(session: AsyncSession, place: str) -> ShippingRegion:
    """The region of the first place named in ``place`` (a province, a city in it …).

    Raises:
        ApiError: 422 ``unknown_region`` when no known place is named;
            ``region_not_served`` for a region the shop does not deliver to.
    """
    text = normalize(place)
    best: tuple[int, int, ShippingRegion] | None = None
    for region in (await session.scalars(select(ShippingRegion))).all():
        for name in [region.name, *json.loads(region.places or "[]")]:
            at = text.find(normalize(name)) if name else -1
            if at >= 0 and (best is None or (at, -len(name)) < (best[0], best[1])):
                best = (at, -len(name), region)
    if best is None:
        raise ApiError(
            422, "unknown_region", "没有识别出收货地区，请告诉我省份或城市，如「四川成都」"
        )
    region = best[2]
    if not region.delivers:
        raise ApiError(
            422, "region_not_served", f"抱歉，{region.name}暂不支持配送（港澳台及海外地区暂未开通）"
        )
    return region


async def remote_regions(session: AsyncSession) -> list[str]:
    """The names of the remote regions (extra days and fees)."""
    rows = await session.scalars(select(ShippingRegion).where(ShippingRegion.remote))
    return [row.name for row in rows.all()]


async def rule_text(session: AsyncSession, rule: ShippingRule | None, seller: str) -> str:
    """The shop's fee rule in plain Chinese."""
    if rule is None:
        return f"{seller}：{NO_RULE_TEXT}"
    if rule.free_over_fen is not None and rule.base_fee_fen:
        free, base = _yuan(rule.free_over_fen), _yuan(rule.base_fee_fen)
        text = f"{seller}：订单满 {free} 元免运费，不满收 {base} 元"
    elif rule.base_fee_fen:
        text = f"{seller}：每单运费 {_yuan(rule.base_fee_fen)} 元"
    else:
        text = f"{seller}：全场包邮"
    if rule.remote_extra_fen:
        names = "、".join(await remote_regions(session))
        text += f"；偏远地区（{names}）另加 {_yuan(rule.remote_extra_fen)} 元"
    return text


async def shipping_rules(session: AsyncSession) -> list[tuple[ShippingRule, str]]:
    """Every shop's fee rule with its plain-Chinese text, 京选自营 first."""
    rules = (await session.scalars(select(ShippingRule))).all()
    ordered = sorted(rules, key=lambda rule: (rule.seller != "京选自营", rule.seller))
    return [(rule, await rule_text(session, rule, rule.seller)) for rule in ordered]


@dataclass(frozen=True)
class ShippingQuote:
    """Delivery time and fee of ``quantity`` of a product (to ``region`` when named).

    ``days_min``/``days_max`` are None without a region or while out of stock;
    ``fee_fen`` is None when the shop has no rule on file.
    """

    product: Product
    quantity: int
    region: ShippingRegion | None
    in_stock: bool
    restock_at: datetime | None
    days_min: int | None
    days_max: int | None
    goods_fen: int
    fee_fen: int | None
    free_shipping: bool
    missing_for_free_fen: int | None
    remote_extra_fen: int
    rule: str


async def shipping_quote(
    session: AsyncSession, sku: str, place: str | None = None, quantity: int = 1
) -> ShippingQuote:
    """The delivery days and the fee of ``quantity`` of ``sku`` sent to ``place``.

    Raises:
        ApiError: 404 ``product_not_found``; 422 ``invalid_quantity`` (not 1-99),
            ``unknown_region`` or ``region_not_served`` (see :func:`find_region`).
    """
    product = await product_of(session, sku)
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= MAX_QUANTITY
    ):
        raise ApiError(422, "invalid_quantity", f"购买数量应为 1-{MAX_QUANTITY} 件")
    region = await find_region(session, place) if place and place.strip() else None
    rule = await session.get(ShippingRule, product.seller)
    in_stock = product.stock >= quantity
    goods = product.price_fen * quantity
    fee: int | None = None
    free = False
    missing: int | None = None
    extra = 0
    if rule is not None:
        free = rule.base_fee_fen == 0 or (
            rule.free_over_fen is not None and goods >= rule.free_over_fen
        )
        if not free and rule.free_over_fen is not None:
            missing = rule.free_over_fen - goods
        extra = rule.remote_extra_fen if region is not None and region.remote else 0
        fee = (0 if free else rule.base_fee_fen) + extra
    days_min = days_max = None
    if region is not None and in_stock:
        more = rule.extra_days if rule is not None else 0
        days_min, days_max = region.days_min + more, region.days_max + more
    return ShippingQuote(
        product=product,
        quantity=quantity,
        region=region,
        in_stock=in_stock,
        restock_at=None if in_stock else await restock_of(session, product.sku),
        days_min=days_min,
        days_max=days_max,
        goods_fen=goods,
        fee_fen=fee,
        free_shipping=free,
        missing_for_free_fen=missing,
        remote_extra_fen=extra,
        rule=await rule_text(session, rule, product.seller),
    )
