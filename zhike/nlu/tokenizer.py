"""Chinese word segmentation (jieba) that keeps identifiers from steering intents."""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from zhike.common.ids import ORDER_ID_PATTERN
from zhike.common.lead_ins import lead_in_end
from zhike.nlu.order_cards import card_spans
from zhike.nlu.pattern_entities import fold_width

# An identifier token is featurized as its kind, never as its characters: otherwise the
# digits of one demo order number in one training example can decide the intent of every
# later message that mentions it ("订单HP20240004我要退款" read as a refund question).
PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(ORDER_ID_PATTERN, re.IGNORECASE), "__order_id__"),
    (re.compile(r"1[3-9]\d{9}"), "__phone__"),
    (re.compile(r"(?:SF|ZT|YT|YD|STO|JD|EMS)\d{10,13}", re.IGNORECASE), "__tracking_number__"),
    (re.compile(r"TK\d{8,13}", re.IGNORECASE), "__ticket_id__"),
    (re.compile(r"[0-9A-Z]{18}", re.IGNORECASE), "__code__"),  # tax number, credit code
    (re.compile(r"\d{4,}"), "__digits__"),  # last 4 digits, one-time codes, other numbers
)


# A postal address ("北京市朝阳区建国路93号1505室") is featurized as one kind of thing too:
# its place names are no words of intent, and examples of a bare address answer (inform)
# made "我要纸质发票，寄到<address>" an answer instead of an invoice request.
ADDRESS = re.compile(
    r"[\u4e00-\u9fa5]{2,8}?[省市](?:[\u4e00-\u9fa5]{1,8}?[区县市旗])?"
    r"[\u4e00-\u9fa5A-Za-z0-9\-#]{0,30}?(?:路|街|道|巷|弄|村|大厦|广场|小区|园)"
    r"[\u4e00-\u9fa5A-Za-z0-9\-#]{0,30}"
)
ADDRESS_LEMMA = "__address__"
# Most province and city names have two characters; the regex cannot tell where a name
# starts ("寄到北京市"), so a match keeps two characters before 省/市 unless it ends in one
# of these longer names.
LONG_PLACE_NAMES = (
    "黑龙江", "内蒙古", "哈尔滨", "石家庄", "呼和浩特", "乌鲁木齐", "齐齐哈尔", "张家口",
    "秦皇岛", "连云港", "驻马店", "平顶山", "攀枝花", "景德镇", "六盘水", "牡丹江", "佳木斯",
    "马鞍山", "鄂尔多斯",
)  # fmt: skip


def address_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of postal addresses in ``text``."""
    spans = []
    for match in ADDRESS.finditer(text):
        start, end = match.span()
        first = min(i for i in (text.find("省", start, end), text.find("市", start, end)) if i >= 0)
        name = next((n for n in LONG_PLACE_NAMES if text[start:first].endswith(n)), None)
        spans.append((max(start, first - (len(name) if name else 2)), end))
    return spans


def lemma_of(word: str) -> str:
    """The placeholder of an identifier token, else the token with full-width folded."""
    folded = fold_width(word)
    for pattern, placeholder in PLACEHOLDERS:
        if pattern.fullmatch(folded):
            return placeholder
    return folded


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ZhikeTokenizer(JiebaTokenizer):
    """``JiebaTokenizer`` (same options, e.g. ``dictionary_path``) for zhike's data.

    * Segments the text with full-width letters and digits folded (``ＨＰ２０２４０００５``
      is one token, like ``HP20240005``); token texts and offsets stay those of the
      original text.
    * Gives identifier tokens (order, phone, tracking, ticket numbers, codes, digit
      runs) a placeholder lemma, which the count-vector featurizers use instead of the
      characters. The regex features and the pattern entity extractor read the message
      text itself, so entities are found as before.
    * Gives the tokens of a postal address the lemma ``__address__``.
    * Leaves out the fields of a pasted order card (amount, order time, product id): only
      the customer's own words and the order number count.
    * Leaves out the lead-in before a new matter ("好的谢谢 对了 能开发票吗",
      :mod:`zhike.common.lead_ins`): the question counts.
    """

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of the folded text, with placeholder lemmas for identifiers."""
        import jieba

        text: str = message.get(attribute) or ""
        tokens = [
            Token(text[start:end], start, end, lemma=lemma_of(word))
            for word, start, end in jieba.tokenize(fold_width(text))
        ]
        addresses = address_spans(text)
        for token in tokens:
            if any(a <= token.start and token.end <= b for a, b in addresses):
                token.lemma = ADDRESS_LEMMA
        spans = card_spans(text)
        lead_in = lead_in_end(text)
        if lead_in:
            spans.append((0, lead_in))
        if spans:
            kept = [t for t in tokens if not any(a <= t.start and t.end <= b for a, b in spans)]
            tokens = kept or tokens
        return self._apply_token_pattern(tokens)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """See :class:`~rasa.nlu.tokenizers.jieba_tokenizer.JiebaTokenizer`."""
        return JiebaTokenizer.get_default_config()
