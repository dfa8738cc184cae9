from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.tokenizer import ZhikeTokenizer, lemma_of


def tokens_of(tokenizer: ZhikeTokenizer, text: str) -> list[tuple[str, int, int, str]]:
    message = Message(data={TEXT: text})
    return [(t.text, t.start, t.end, t.lemma) for t in tokenizer.tokenize(message, TEXT)]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("HP20240004", "__order_id__"),
        ("hp20240005", "__order_id__"),
        ("13800138001", "__phone__"),
        ("SF1234567890", "__tracking_number__"),
        ("8001", "__digits__"),
        ("91310000MA1FL5LX3E", "__code__"),
        ("退款", "退款"),
        ("ＯＫ", "OK"),
        ("12", "12"),
    ],
)
def test_identifiers_get_a_placeholder_lemma(word: str, lemma: str) -> None:
    assert lemma_of(word) == lemma


def test_two_order_numbers_look_the_same_to_the_featurizers(
    tokenizer: ZhikeTokenizer,
) -> None:
    first = [lemma for *_, lemma in tokens_of(tokenizer, "订单HP20240004我要退款")]
    second = [lemma for *_, lemma in tokens_of(tokenizer, "订单HP20240001我要退款")]
    assert first == second
    assert "__order_id__" in first


def test_full_width_identifiers_are_one_token_with_original_text_and_offsets(
    tokenizer: ZhikeTokenizer,
) -> None:
    text = "查一下ＨＰ２０２４０００５"
    tokens = tokens_of(tokenizer, text)
    identifier = [t for t in tokens if t[3] == "__order_id__"]
    assert identifier == [("ＨＰ２０２４０００５", 3, 13, "__order_id__")]
    for token_text, start, end, _ in tokens:
        assert text[start:end] == token_text


def test_a_pasted_order_card_leaves_only_the_order_number_and_the_question(
    tokenizer: ZhikeTokenizer,
) -> None:
    text = "[订单编号:HP20245265，订单金额:89，下单时间:2024-09-11 11:28:45] 发票抬头能改么"
    words = [t[0] for t in tokens_of(tokenizer, text)]
    assert "HP20245265" in words and "发票" in words
    assert not any(w in {"89", "金额", "订单金额", "11", "28", "45", "2024"} for w in words)
    app = "咨询订单号:HP20249963 商品ID:20 本订单未收到货"
    assert "20" not in [t[0] for t in tokens_of(tokenizer, app)]
    only_card = "订单金额:89"
    assert tokens_of(tokenizer, only_card)  # never a message without tokens


def test_an_address_is_one_kind_of_thing_and_the_words_around_it_stay(
    tokenizer: ZhikeTokenizer,
) -> None:
    tokens = tokens_of(tokenizer, "HP20241101我要纸质发票，寄到北京市朝阳区建国路93号1505室")
    lemmas = {text: lemma for text, _, _, lemma in tokens}
    assert lemmas["北京市"] == "__address__" and lemmas["朝阳区"] == "__address__"
    assert "寄到" in lemmas or "寄" in lemmas  # the verb is no part of the address
    assert all(lemmas[w] != "__address__" for w in ("发票", "纸质") if w in lemmas)
    assert all(lemma != "__address__" for *_, lemma in tokens_of(tokenizer, "我在北京市"))


def test_the_lead_in_before_a_new_matter_is_left_out(tokenizer: ZhikeTokenizer) -> None:
    words = [t[0] for t in tokens_of(tokenizer, "好的谢谢 对了 能开发票吗")]
    assert words == [t[0] for t in tokens_of(tokenizer, "能开发票吗")]
    offsets = [t[1] for t in tokens_of(tokenizer, "好的谢谢 对了 能开发票吗")]
    assert offsets[0] == len("好的谢谢 对了 ")  # offsets stay those of the typed text
    thanks = [t[0] for t in tokens_of(tokenizer, "好的谢谢")]
    assert "谢谢" in thanks  # thanks alone are the customer's words
