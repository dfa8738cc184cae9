"""Pure parsing of exchange requests: the reason, the size or colour wanted, image refs.

No I/O and no Rasa objects. "鞋子小了想换大一码" is a size exchange one size up; "收到的
杯子是坏的" a defect; "换个白色的" a colour exchange to white. A wish is resolved against
the ordered variant and its siblings (:class:`~zhike.lib.backend_client.exchanges.
ExchangeCheck`).
"""

from __future__ import annotations

import re
from typing import Any

from actions.parsing import normalize_text
from zhike.lib.backend_client.exchanges import ExchangeCheck, ExchangeVariant

SIZE, COLOUR, DEFECT = "size", "colour", "defect"
# "能换个新的吗": the same goods again, new, is what a faulty one is exchanged for.
_DEFECT = re.compile(
    r"坏|破|裂|漏|质量|故障|瑕疵|不工作|不能用|用不了|不加热|没反应|不亮|开胶|断了|残次|次品|有问题|"
    r"换(?:一?[个台只件])?新"
)
_SIZE = re.compile(
    r"尺码|码数|号码|[大小]一[码号]|[大小]了|偏[大小]|挤脚|夹脚|太[大小]|不合脚|穿不上|\d{2}(?:码|号)|"
    r"(?<![A-Za-z])(?:XXL|XL|XS|S|M|L)(?:码|号)?(?![A-Za-z])"
)
_COLOUR_WORDS = ("黑色", "白色", "红色", "蓝色", "灰色", "绿色", "粉色", "黄色", "紫色", "米色")
_COLOUR = re.compile(r"颜色|色差|" + "|".join(_COLOUR_WORDS) + r"|[黑白红蓝灰绿粉黄紫米]的")
_LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL", "XXXL")
_UP = re.compile(r"大一[码号]|大点|大一点|换大|再大")
_DOWN = re.compile(r"小一[码号]|小点|小一点|换小|再小")
_URL = re.compile(r"https?://[^\s，。,；;]+", re.IGNORECASE)
_MEDIA = re.compile(r"(?:media_?id|媒体ID)[:：=\s]*([A-Za-z0-9_-]{8,128})", re.IGNORECASE)
MAX_IMAGES = 9


def parse_exchange_reason(value: Any) -> str | None:
    """``size``, ``colour`` or ``defect`` from the words (or a button value), else ``None``.

    A defect wins over the others ("鞋子开胶了想换一双" is a defect).
    """
    text = normalize_text(value).strip()
    if text.lower() in (SIZE, COLOUR, DEFECT):
        return text.lower()
    upper = text.upper()
    if _DEFECT.search(text):
        return DEFECT
    if _SIZE.search(upper):
        return SIZE
    if _COLOUR.search(text):
        return COLOUR
    return None


def names_variant(value: Any) -> bool:
    """Whether the text names a size or colour to exchange to ("换43码", "大一码", "白色的")."""
    text = normalize_text(value).upper()
    return bool(
        _UP.search(text)
        or _DOWN.search(text)
        or re.search(r"\d{2}(?:码|号)?", text)
        or re.search(r"(?<![A-Z])(?:XXL|XL|XS|S|M|L)(?![A-Z])", text)
        or any(word in text for word in _COLOUR_WORDS)
    )


def _size_key(size: str) -> tuple[int, float]:
    upper = size.upper()
    if upper in _LETTER_SIZES:
        return (1, float(_LETTER_SIZES.index(upper)))
    try:
        return (0, float(upper))
    except ValueError:
        return (2, 0.0)


def _step(check: ExchangeCheck, up: bool) -> ExchangeVariant | None:
    same_colour = [v for v in check.variants if v.colour == check.colour and v.size]
    current = _size_key(check.size)
    if up:
        bigger = [v for v in same_colour if _size_key(v.size) > current]
        return min(bigger, key=lambda v: _size_key(v.size), default=None)
    smaller = [v for v in same_colour if _size_key(v.size) < current]
    return max(smaller, key=lambda v: _size_key(v.size), default=None)


def _size_named(text: str, ordered: str = "") -> str | None:
    """The size wanted: the last one named other than the size ordered.

    "鞋子42码小了 换43" names the pair's own size first: 43 is wanted. The ordered size
    alone ("白色42码" for a black 42) names no new size.
    """
    named = re.findall(r"(?<!\d)(\d{2}(?:\.5)?)(?!\d)", text) or re.findall(
        r"(?<![A-Z])(XXXL|XXL|XL|XS|S|M|L)(?![A-Z])", text
    )
    wanted = [size for size in named if size.upper() != ordered.upper()]
    return wanted[-1] if wanted else None


def resolve_variant(value: Any, check: ExchangeCheck) -> ExchangeVariant | None:
    """The sibling variant the words name, in stock or not; ``None`` when none matches.

    "大一码" / "小一码" step from the ordered size within its colour; "43" / "43码" / "XL"
    name a size (in the ordered colour when there is one); "白色" names a colour (in the
    ordered size when there is one); a SKU or a variant's full name names it.
    """
    text = normalize_text(value).strip().upper()
    if not text:
        return None
    for variant in check.variants:
        if text in (variant.sku.upper(), normalize_text(variant.name).upper()):
            return variant
    if _UP.search(text) or _DOWN.search(text):
        return _step(check, up=bool(_UP.search(text)))
    colour = next((word for word in _COLOUR_WORDS if word in text), None)
    if colour is None:
        short = re.search(r"([黑白红蓝灰绿粉黄紫米])(?:的|色)", text)
        colour = f"{short.group(1)}色" if short else None
    size = _size_named(text, check.size or "")
    matches = [
        v
        for v in check.variants
        if (size is None or v.size.upper() == size)
        and (colour is None or v.colour == colour)
        and (size is not None or colour is not None)
    ]
    if len(matches) > 1:
        keep = check.colour if colour is None else None
        narrowed = [v for v in matches if (keep is None or v.colour == keep)]
        if size is None:
            narrowed = [v for v in narrowed if v.size == check.size] or narrowed
        matches = narrowed
    return matches[0] if matches else None


# A size too small or too big said in other words than _UP / _DOWN ("鞋子小了", "偏大").
_TOO_SMALL = re.compile(r"小了|偏小|太小|挤脚|夹脚|穿不上|穿不进")
_TOO_BIG = re.compile(r"大了|偏大|太大")
# A reply that is only a size ("43码", "要43的", "换成43吧").
_ONLY_A_SIZE = re.compile(r"(?:换成?|要|就|换个)?(\d{2})\s*(?:码|号)?(?:的)?[吧呀啊]?")


def ordered_size_meant(reply: Any, said_before: Any) -> str | None:
    """The ordered size a size alone names, said after the wish to go one size up or down.

    "鞋子码数小了 想换大一码", then "43码" asked which order: 43 is the size wanted, so the
    order is the pair in 42 (``"42"``). ``None`` unless ``reply`` is only a two-digit size
    and ``said_before`` says which way.
    """
    size = _ONLY_A_SIZE.fullmatch(normalize_text(reply).strip())
    before = normalize_text(said_before)
    if size is None:
        return None
    down = _DOWN.search(before) or _TOO_BIG.search(before)
    up = _UP.search(before) or _TOO_SMALL.search(before)
    if bool(up) == bool(down):
        return None
    return str(int(size.group(1)) + (-1 if up else 1))


def variant_label(variant: ExchangeVariant) -> str:
    """``黑色 43 码`` (colour and size), or the name when the variant has neither."""
    parts = [variant.colour, f"{variant.size} 码" if variant.size else ""]
    label = " ".join(part for part in parts if part)
    return label or variant.name


def image_refs(text: Any, metadata: Any = None) -> list[str]:
    """Image URLs or media ids the customer sent (at most :data:`MAX_IMAGES`).

    From the message metadata when the channel passes attachments (``images``: URLs or
    ``{"url"|"media_id": ...}``; ``attachments`` of type image; WeChat-style ``PicUrl`` /
    ``MediaId``), and from URLs or ``media_id:...`` written in the text.
    """
    found: list[str] = []
    if isinstance(metadata, dict):
        items: list[Any] = list(metadata.get("images") or [])
        items += [
            item
            for item in metadata.get("attachments") or []
            if isinstance(item, dict) and item.get("type") in ("image", None)
        ]
        for key in ("PicUrl", "MediaId", "image"):
            if isinstance(metadata.get(key), str):
                items.append(metadata[key])
        for item in items:
            if isinstance(item, dict):
                item = item.get("url") or item.get("media_id") or item.get("src")
            if isinstance(item, str) and item.strip():
                found.append(item.strip()[:512])
    raw = normalize_text(text)
    found += [match.group(0)[:512] for match in _URL.finditer(raw)]
    found += [f"media_id:{match.group(1)}" for match in _MEDIA.finditer(raw)]
    unique = list(dict.fromkeys(found))
    return unique[:MAX_IMAGES]


def description_without_refs(value: Any) -> str:
    """The customer's words with image URLs and media ids taken out."""
    text = value[0] if isinstance(value, list) and value else value
    text = _MEDIA.sub("", _URL.sub("", str(text or "")))
    return re.sub(r"\s+", " ", text).strip()
