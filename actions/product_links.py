"""Product links customers paste ("https://shop.example.com/item/RM-N13P-8256-BK.html 有货吗").

Customers ask about a product by pasting its page: the link names the product exactly
where its name would be guessed from the words. :func:`linked_sku` reads the product's
SKU from the first link in a message with the shop's link pattern:
``ZHIKE_PRODUCT_LINK_PATTERN``, a regular expression whose first group is the SKU. The
default knows the usual shapes of product pages: ``…/item/<sku>.html``,
``…/product/<sku>``, ``item.htm?id=<sku>`` and ``?sku=<sku>``. :func:`without_links`
is the message without its links, so the words asked are read, not the link's digits.
"""

from __future__ import annotations

import functools
import logging
import os
import re

logger = logging.getLogger(__name__)

LINK_PATTERN_ENV = "ZHIKE_PRODUCT_LINK_PATTERN"
DEFAULT_LINK_PATTERN = (
    r"https?://[!-~]*?(?:/(?:item|items|product|products|goods)/|[?&](?:id|sku|item_id)=)"
    r"([A-Za-z0-9][A-Za-z0-9_-]*)"
)
# A web link: the characters of a URL (a customer's words right after it are not).
_LINK = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def link_pattern() -> re.Pattern[str]:
    """The shop's product-link pattern (``ZHIKE_PRODUCT_LINK_PATTERN`` or the default).

    A pattern that does not compile, or has no group, is logged and the default used.
    """
    source = os.environ.get(LINK_PATTERN_ENV) or DEFAULT_LINK_PATTERN
    try:
        pattern = _pattern(source)
    except re.error as error:
        logger.error(
            "%s is not a regular expression (%s); using the default", LINK_PATTERN_ENV, error
        )
        return _pattern(DEFAULT_LINK_PATTERN)
    if pattern.groups < 1:
        logger.error("%s has no group for the SKU; using the default", LINK_PATTERN_ENV)
        return _pattern(DEFAULT_LINK_PATTERN)
    return pattern


def has_link(text: str) -> bool:
    """Whether ``text`` has a web link in it."""
    return _LINK.search(text or "") is not None


def linked_sku(text: str) -> str | None:
    """The SKU of the first product link in ``text``, or None (no link of that shape)."""
    match = link_pattern().search(text or "")
    return match.group(1) if match and match.group(1) else None


def without_links(text: str) -> str:
    """``text`` without its web links (the words the customer typed around them)."""
    return " ".join(_LINK.sub(" ", text or "").split())
