"""What a pre-sales question asks, and the answers in plain 客服 Chinese (pure functions).

:func:`aspects_of` reads which parts of a product the customer asks about (stock, spec,
fit, delivery time, fee, price, a comparison, a recommendation) from the words they use;
:func:`quantity_of` how many they would buy ("两包", "3件"). The sentences are built from
the backend's data only (:mod:`zhike.lib.backend_client.presales`).
"""

from __future__ import annotations

import re

from actions.dates import format_date
from zhike.common.formats import yuan
from zhike.lib.backend_client.presales.domain import (
    SELF_OPERATED,
    Compatibility,
    Product,
    ShippingQuote,
)

COMPARE = "compare"
RECOMMEND = "recommend"
FIT = "fit"
DELIVERY = "delivery"
FEE = "fee"
STOCK = "stock"
SPEC = "spec"
PRICE = "price"
_WORDS: dict[str, tuple[str, ...]] = {
    COMPARE: ("哪个好", "哪款好", "哪个更好", "哪款更", "对比", "比较", "区别", "选哪", "推荐哪",
              "哪个划算", "哪个值得"),
    # "卧室十几平买哪款空调合适", "冰箱有什么推荐": which to buy, for a presales adviser
    RECOMMEND: ("推荐", "买哪", "哪款合适", "哪款适合", "哪种好", "哪种合适", "什么牌子好",
                "哪个牌子好", "什么型号好", "怎么选"),
    FIT: ("适合", "适用", "能用", "兼容", "能贴", "可以贴", "匹配", "配不配", "可以用", "用得了",
          "通用", "能不能用", "合适"),
    DELIVERY: ("几天", "多久", "多长时间", "什么时候到", "哪天到", "时效", "次日达", "发到",
               "送到", "寄到", "能到", "到货时间", "多快"),
    FEE: ("运费", "邮费", "包邮", "快递费", "配送费", "免邮"),
    STOCK: ("有货", "现货", "库存", "有没有货", "还有吗", "缺货", "卖完", "断货", "补货", "到货",
            "有卖", "还有没有", "能买"),
    SPEC: ("参数", "规格", "配置", "多大", "多重", "尺寸", "内存", "颜色", "功率", "容量", "匹数",
           "能效", "尺码", "型号", "屏幕", "多少片", "几片", "面积", "分辨率", "电压", "净含量",
           "保质期", "数量"),
    PRICE: ("多少钱", "价格", "价钱", "售价", "几块", "贵不贵", "啥价"),
}  # fmt: skip
# Spec labels customers reach with other words ("多大" of a phone is its memory).
_SPEC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "内存": ("内存", "存储", "运存", "多大", "容量"),
    "尺寸": ("尺寸", "多大", "多少寸", "几寸"),
    "屏幕": ("屏幕", "屏", "多少寸", "几寸"),
    "匹数": ("匹数", "几匹", "多少匹"),
    "适用面积": ("面积", "多大房间", "几平", "多少平"),
    "容量": ("容量", "多大", "几升"),
    "尺码": ("尺码", "码数", "几码"),
}
_NUMERALS = {"一": 1, "两": 2, "二": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "十": 10}  # fmt: skip
_QUANTITY_RE = re.compile(
    r"(\d{1,2}|[一两二俩三四五六七八九十])\s*(?:包|件|个|台|盒|支|双|箱|袋|瓶|部|套|张|片装|份|桶)"
)


def aspects_of(text: str) -> list[str]:
    """The aspects the words ask about, in a fixed order (comparison, recommendation first)."""
    return [aspect for aspect, words in _WORDS.items() if any(word in text for word in words)]


def quantity_of(text: str) -> int:
    """How many the customer would buy ("买两包" -> 2); 1 when not said."""
    match = _QUANTITY_RE.search(text)
    if match is None:
        return 1
    raw = match.group(1)
    number = int(raw) if raw.isdigit() else _NUMERALS[raw]
    return number if 1 <= number <= 99 else 1


def asked_spec(product: Product, text: str) -> list[tuple[str, str]]:
    """The spec fields of ``product`` that the words name (by label or a synonym)."""
    found = []
    for label, value in product.spec:
        words = (label, *_SPEC_SYNONYMS.get(label, ()))
        if any(word in text for word in words):
            found.append((label, value))
    return found


def spec_text(product: Product, fields: list[tuple[str, str]] | None = None) -> str:
    """``内存：8GB+256GB；颜色：子夜黑`` (all fields when none are given)."""
    shown = fields if fields is not None else list(product.spec)
    return "；".join(f"{label}：{value}" for label, value in shown)


def stock_text(product: Product) -> str:
    """Whether it is in stock (how many left when few), or when it comes back."""
    if product.in_stock:
        left = (
            f"，仅剩 {product.stock} 件，喜欢的话要抓紧哦" if product.stock < 20 else "，库存充足"
        )
        return f"「{product.name}」目前有货{left}，现价 ¥{yuan(product.price_fen)}。"
    when = (
        f"预计 {format_date(product.restock_at)} 左右到货"
        if product.restock_at
        else "到货时间暂未确定"
    )
    return f"「{product.name}」目前暂时缺货，{when}，您可以先加入购物车或收藏，到货后会有提醒。"


def price_text(product: Product) -> str:
    """The current price and the seller."""
    return f"「{product.name}」现价 ¥{yuan(product.price_fen)}，由{product.seller}销售。"


def summary_text(product: Product) -> str:
    """A short card: name, price, stock and spec."""
    stock = "有货" if product.in_stock else "暂时缺货"
    spec = spec_text(product)
    spec_part = f"\n主要参数：{spec}" if spec else ""
    return (
        f"为您找到「{product.name}」：现价 ¥{yuan(product.price_fen)}，{stock}，"
        f"{product.seller}销售。{spec_part}"
    )


def fit_text(product: Product, result: Compatibility) -> str:
    """Yes, no or not known, honestly, with the devices it is made for."""
    fits = "、".join(result.fits)
    if result.answer == "yes":
        return f"可以的～「{product.name}」适用于 {fits}，放心购买。"
    if result.answer == "no":
        return (
            f"抱歉，「{product.name}」只适用于 {fits}，不适用于 {result.device}，"
            "建议选购对应机型的型号哦。"
        )
    if fits:
        return f"「{product.name}」适用于 {fits}。请问您的设备是什么型号呢？我帮您核对一下。"
    return f"「{product.name}」的资料里没有写明适用机型，我没法确定是否适配。"


def days_text(low: int, high: int) -> str:
    """次日达, 2–3 天."""
    if high <= 1:
        return "次日达（现在下单，预计明天送到）"
    return f"预计 {low} 天送达" if low == high else f"预计 {low}–{high} 天送达"


def delivery_text(product: Product, quote: ShippingQuote) -> str:
    """Delivery time to the region, or why nothing ships now."""
    if not quote.in_stock:
        when = (
            f"预计 {format_date(quote.restock_at)} 左右到货"
            if quote.restock_at
            else "到货时间暂未确定"
        )
        return f"「{product.name}」目前缺货，暂时无法发货，{when}，到货后按正常时效发出。"
    where = "京选自营仓发货" if quote.seller == SELF_OPERATED else f"由{quote.seller}发货"
    remote = "（偏远地区，时效会稍长一些）" if quote.remote else ""
    assert quote.days_min is not None and quote.days_max is not None
    return (
        f"「{product.name}」{where}，发往{quote.region}{days_text(quote.days_min, quote.days_max)}"
        f"{remote}。"
    )


def fee_text(product: Product, quote: ShippingQuote) -> str:
    """The fee of this purchase and the shop's rule."""
    many = quote.quantity > 1
    goods = f"买 {quote.quantity} 件共 ¥{yuan(quote.goods_fen)}，" if many else ""
    if quote.fee_fen is None:
        return f"{goods}{quote.rule}。"
    where = f"发往{quote.region}" if quote.region else ""
    if quote.free_shipping and not quote.remote_extra_fen:
        return f"「{product.name}」{goods}{where}包邮哦～（{quote.rule}）"
    parts = []
    if quote.free_shipping:
        parts.append("商品满足包邮条件")
    else:
        parts.append(f"运费 {yuan(quote.fee_fen - quote.remote_extra_fen)} 元")
        if quote.missing_for_free_fen:
            parts.append(f"再买 ¥{yuan(quote.missing_for_free_fen)} 就能包邮")
    if quote.remote_extra_fen:
        parts.append(f"{quote.region}属于偏远地区，另加 {yuan(quote.remote_extra_fen)} 元")
    total = f"，合计运费 {yuan(quote.fee_fen)} 元" if quote.remote_extra_fen else ""
    return f"「{product.name}」{goods}{where}：{'，'.join(parts)}{total}。（{quote.rule}）"
