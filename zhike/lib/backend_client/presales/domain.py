"""Frozen pre-sales objects and their JSON parsers (pure).

Money is integer fen; times aware UTC. Public catalogue data: nothing personal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from zhike.lib.backend_client.errors import BackendError

T = TypeVar("T")
SELF_OPERATED = "京选自营"


@dataclass(frozen=True)
class Product:
    """A product on sale; ``spec`` holds ``(label, value)`` pairs (内存, 适用机型 ...)."""

    sku: str
    name: str
    category: str
    brand: str
    seller: str
    price_fen: int
    stock: int
    spec: tuple[tuple[str, str], ...] = ()
    restock_at: datetime | None = None
    return_days: int = 7
    exchange_days: int = 15
    warranty_days: int = 0
    installable: bool = False

    @property
    def in_stock(self) -> bool:
        """Whether at least one is in stock."""
        return self.stock > 0

    def spec_value(self, label: str) -> str | None:
        """The value of the specification field ``label``, if the product has it."""
        return next((value for name, value in self.spec if name == label), None)


@dataclass(frozen=True)
class ProductMatch:
    """A product a customer's words name, with its search score (higher is better)."""

    product: Product
    score: int


@dataclass(frozen=True)
class ProductSearch:
    """The products a query names (best first) and the catalogue words it names.

    ``named`` lists brands (sold or not, e.g. 华为) and product words (手机, 空调) found in
    the query: when it is not empty and ``matches`` is, the customer named a product the
    shop does not sell.
    """

    matches: tuple[ProductMatch, ...]
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compatibility:
    """Whether a product fits a device: ``answer`` is ``yes``, ``no`` or ``unknown``.

    ``fits`` lists the devices it is made for; ``device`` the one found in the question.
    """

    sku: str
    answer: str
    fits: tuple[str, ...]
    device: str | None = None


@dataclass(frozen=True)
class ShippingQuote:
    """Delivery days and fee of ``quantity`` of a product, to ``region`` when one was named.

    ``days_min``/``days_max`` are None without a region or while out of stock; ``fee_fen``
    None when the shop's fee is on the product page; ``rule`` is the shop's rule in Chinese.
    """

    sku: str
    seller: str
    quantity: int
    region: str | None
    remote: bool
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


@dataclass(frozen=True)
class ShippingRule:
    """A shop's shipping-fee rule and its plain-Chinese ``text``."""

    seller: str
    text: str
    base_fee_fen: int
    free_over_fen: int | None
    remote_extra_fen: int
    extra_days: int


def _strict(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], T]:
    def wrapper(data: Any) -> T:
        if not isinstance(data, dict):
            raise BackendError("invalid backend response: not an object", code="invalid_response")
        try:
            return parse(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackendError(
                f"invalid backend response ({parse.__name__}): {error!r}",
                code="invalid_response",
            ) from error

    wrapper.__name__ = parse.__name__
    wrapper.__doc__ = parse.__doc__
    return wrapper


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed) as aware UTC; ``None``/empty stays ``None``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


@_strict
def product_from_json(data: dict[str, Any]) -> Product:
    """A ``Product`` document."""
    spec = data.get("spec") or {}
    if not isinstance(spec, dict):
        raise ValueError("spec is not an object")
    return Product(
        sku=str(data["sku"]),
        name=str(data["name"]),
        category=str(data.get("category") or ""),
        brand=str(data.get("brand") or ""),
        seller=str(data.get("seller") or ""),
        price_fen=_int(data["price_fen"]),
        stock=_int(data["stock"]),
        spec=tuple((str(k), str(v)) for k, v in spec.items()),
        restock_at=parse_time(data.get("restock_at")),
        return_days=_int(data.get("return_days", 7)),
        exchange_days=_int(data.get("exchange_days", 15)),
        warranty_days=_int(data.get("warranty_days", 0)),
        installable=bool(data.get("installable", False)),
    )


@_strict
def matches_from_json(data: dict[str, Any]) -> ProductSearch:
    """A ``ProductMatches`` document (best first)."""
    items = data["products"]
    if not isinstance(items, list):
        raise ValueError("products is not a list")
    return ProductSearch(
        tuple(ProductMatch(product_from_json(item), _int(item["score"])) for item in items),
        tuple(str(word) for word in data.get("named") or ()),
    )


@_strict
def compatibility_from_json(data: dict[str, Any]) -> Compatibility:
    """A ``Compatibility`` document."""
    answer = str(data["answer"])
    if answer not in ("yes", "no", "unknown"):
        raise ValueError(f"unknown answer {answer!r}")
    device = data.get("device")
    return Compatibility(
        sku=str(data["sku"]),
        answer=answer,
        fits=tuple(str(item) for item in data["fits"]),
        device=None if device is None else str(device),
    )


@_strict
def quote_from_json(data: dict[str, Any]) -> ShippingQuote:
    """A ``ShippingQuote`` document."""
    region = data.get("region")
    return ShippingQuote(
        sku=str(data["sku"]),
        seller=str(data.get("seller") or ""),
        quantity=_int(data["quantity"]),
        region=None if region is None else str(region),
        remote=bool(data.get("remote", False)),
        in_stock=bool(data["in_stock"]),
        restock_at=parse_time(data.get("restock_at")),
        days_min=_opt_int(data.get("days_min")),
        days_max=_opt_int(data.get("days_max")),
        goods_fen=_int(data["goods_fen"]),
        fee_fen=_opt_int(data.get("fee_fen")),
        free_shipping=bool(data.get("free_shipping", False)),
        missing_for_free_fen=_opt_int(data.get("missing_for_free_fen")),
        remote_extra_fen=_int(data.get("remote_extra_fen", 0)),
        rule=str(data["rule"]),
    )


@_strict
def rules_from_json(data: dict[str, Any]) -> list[ShippingRule]:
    """A ``ShippingRules`` document."""
    return [
        ShippingRule(
            seller=str(item["seller"]),
            text=str(item["text"]),
            base_fee_fen=_int(item.get("base_fee_fen", 0)),
            free_over_fen=_opt_int(item.get("free_over_fen")),
            remote_extra_fen=_int(item.get("remote_extra_fen", 0)),
            extra_days=_int(item.get("extra_days", 0)),
        )
        for item in data["rules"]
    ]
