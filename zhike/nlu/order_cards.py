"""The fields of an order card customers paste from the shop's app.

"订单编号：HP20240001 订单金额：¥5999.00 下单时间：2024-11-20 10:31:05": the amount,
order time, product id … are no words of the customer's and carry no date or number the
customer asks about; only the order number counts. The tokenizer leaves these fields out
of the features (:mod:`zhike.nlu.tokenizer`) and the pattern extractor finds no entity in
them (:mod:`zhike.nlu.pattern_entities`).
"""

from __future__ import annotations

import re

CARD_FIELD = re.compile(
    r"(?:订单金额|下单时间|付款时间|支付时间|商品ID|商品编号|商品数量|订单状态|支付方式|实付金额)"
    r"\s*[:：]\s*(?:\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|[^\s，,;；\]】]*)"
)


def card_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of pasted order-card fields (label and value) in ``text``."""
    return [match.span() for match in CARD_FIELD.finditer(text)]
