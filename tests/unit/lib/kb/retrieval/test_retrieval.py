"""What a customer notices of retrieval: the right entry first, nothing for nonsense."""

from __future__ import annotations

import pytest

from zhike.lib.kb.retrieval import (
    DEFAULT_THRESHOLDS,
    Hit,
    IndexedEntry,
    Searcher,
    Thresholds,
    decide,
    default_analyzer,
    normalize,
    similarity,
)

ENTRIES = [
    IndexedEntry(1, ("退款多久能到账", "钱什么时候退回来", "退款会原路退回吗")),
    IndexedEntry(2, ("可以开发票吗", "能开增值税专用发票吗", "发票是电子的吗")),
    IndexedEntry(3, ("下单后多久发货", "今天下单明天能发吗")),
    IndexedEntry(4, ("优惠券怎么用", "一个订单能用几张优惠券")),
    IndexedEntry(5, ("人工客服几点上班", "客服什么时候在线")),
]


@pytest.fixture(scope="module", params=["lexical", "fused"])
def searcher(request: pytest.FixtureRequest) -> Searcher:
    return Searcher.build(ENTRIES, encoder=None if request.param == "lexical" else "shipped")


def test_normalisation_folds_width_case_traditional_and_punctuation():
    assert normalize("請問，下單後多久出貨？ ＶＩＰ") == "请问下单后多久出货vip"
    assert normalize("  ！！ ") == ""
    assert normalize(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("我的退钱几天能到帐啊", 1),
        ("能不能给我开张专票，公司报销用", 2),
        ("請問付款以後多久出貨", 3),
        ("优惠卷咋用", 4),
        ("你们客服晚上几点下班", 5),
    ],
)
def test_a_paraphrase_ranks_its_entry_first(searcher: Searcher, question: str, entry: int):
    hits = searcher.search(question, k=3)
    assert hits and hits[0].entry_id == entry
    assert 0.0 < hits[0].score <= 1.0


def test_the_same_question_scores_one_and_is_answered(searcher: Searcher):
    hits = searcher.search("退款多久能到账？")
    assert hits[0].score == pytest.approx(1.0, abs=1e-3)
    assert hits[0].matched == "退款多久能到账"
    assert decide(hits) == "answer"


@pytest.mark.parametrize("question", ["播放周杰伦的七里香", "明天北京天气怎么样", "花呗逾期会怎样"])
def test_out_of_scope_scores_below_suggest(searcher: Searcher, question: str):
    hits = searcher.search(question)
    assert not hits or hits[0].score < DEFAULT_THRESHOLDS.suggest
    assert decide(hits) == "none"


def test_one_hit_per_entry_best_first(searcher: Searcher):
    hits = searcher.search("退款多久到账，会原路退回吗", k=5)
    ids = [hit.entry_id for hit in hits]
    assert ids[0] == 1 and len(ids) == len(set(ids))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_index_empty_question_and_entries_without_text():
    empty = Searcher.build([], encoder=None)
    assert len(empty) == 0 and empty.search("退款多久到账") == []
    index = Searcher.build([IndexedEntry(7, ("？？", "")), *ENTRIES], encoder=None)
    assert len(index) == len(ENTRIES)
    assert index.search("") == [] and index.search("！？") == []
    assert index.search("退款", k=0) == []


def test_similarity_is_symmetric_and_calibrated():
    assert similarity("退款多久到账", "退款多久到账") == pytest.approx(1.0, abs=1e-3)
    assert similarity("退款多久到账", "播放一首歌") == 0.0
    close = similarity("退款几天能到账", "退款多久能到账")
    assert close == pytest.approx(similarity("退款多久能到账", "退款几天能到账"))
    assert close > similarity("退款几天能到账", "发票怎么开")


def test_thresholds_are_ordered_and_decide_the_band():
    assert 0 < DEFAULT_THRESHOLDS.suggest < DEFAULT_THRESHOLDS.answer < 1
    with pytest.raises(ValueError):
        Thresholds(answer=0.4, suggest=0.6)
    with pytest.raises(ValueError):
        Thresholds(answer=1.2, suggest=0.5)
    limits = Thresholds(answer=0.8, suggest=0.5)
    assert decide([Hit(1, 0.8, "q")], limits) == "answer"
    assert decide([Hit(1, 0.6, "q")], limits) == "suggest"
    assert decide([Hit(1, 0.49, "q")], limits) == "none"
    assert decide([], limits) == "none"


def test_a_clearly_best_entry_is_answered_below_the_answer_threshold():
    limits = Thresholds(answer=0.8, suggest=0.5, clear=0.55, margin=0.3)
    assert decide([Hit(1, 0.66, "q"), Hit(2, 0.2, "r")], limits) == "answer"
    assert decide([Hit(1, 0.66, "q")], limits) == "answer"
    # a close runner-up, or a best entry below ``clear``: suggest
    assert decide([Hit(1, 0.66, "q"), Hit(2, 0.4, "r")], limits) == "suggest"
    assert decide([Hit(1, 0.53, "q"), Hit(2, 0.1, "r")], limits) == "suggest"
    # without ``clear`` only the answer threshold answers
    assert decide([Hit(1, 0.66, "q"), Hit(2, 0.1, "r")], Thresholds(0.8, 0.5)) == "suggest"
    with pytest.raises(ValueError):
        Thresholds(answer=0.7, suggest=0.5, clear=0.9)
    with pytest.raises(ValueError):
        Thresholds(answer=0.7, suggest=0.5, clear=0.6, margin=0.0)


def test_a_sure_question_is_answered_from_a_clear_best_entry_lower_still():
    limits = Thresholds(
        answer=0.8, suggest=0.5, clear=0.6, margin=0.3, question_clear=0.4, question_margin=0.2
    )
    clear = [Hit(1, 0.45, "q"), Hit(2, 0.2, "r")]
    close = [Hit(1, 0.45, "q"), Hit(2, 0.3, "r")]
    assert decide(clear, limits, question=True) == "answer"
    assert decide(clear, limits) == "none"  # the NLU was not sure it is a question
    assert decide(close, limits, question=True) == "none"  # no clear best entry
    assert decide([Hit(1, 0.35, "q")], limits, question=True) == "none"  # too far from any
    assert decide(clear, Thresholds(answer=0.8, suggest=0.5), question=True) == "none"
    with pytest.raises(ValueError, match="question_clear"):
        Thresholds(answer=0.7, suggest=0.5, question_clear=0.9)
    with pytest.raises(ValueError, match="question_margin"):
        Thresholds(answer=0.7, suggest=0.5, question_margin=0.0)


def test_a_request_asked_about_the_rules_is_answered_from_clear_with_the_question_lead():
    limits = Thresholds(
        answer=0.8, suggest=0.5, clear=0.6, margin=0.3, question_clear=0.4, question_margin=0.2
    )
    ahead = [Hit(1, 0.67, "q"), Hit(2, 0.42, "r")]  # 0.25 ahead: not clear by ``margin``
    assert decide(ahead, limits, rules=True) == "answer"
    assert decide(ahead, limits) == "suggest"
    # below ``clear`` the words alone are not enough, though a sure question would be
    half = [Hit(1, 0.47, "q"), Hit(2, 0.24, "r")]
    assert decide(half, limits, rules=True) == "none"
    assert decide(half, limits, question=True) == "answer"
    assert decide([Hit(1, 0.67, "q"), Hit(2, 0.5, "r")], limits, rules=True) == "suggest"
    assert decide(ahead, Thresholds(answer=0.8, suggest=0.5), rules=True) == "suggest"


def test_the_entry_the_words_name_is_answered_from_named_when_it_is_the_best():
    limits = Thresholds(answer=0.8, suggest=0.5, clear=0.6, question_clear=0.4, named=0.35)
    low = [Hit(1, 0.44, "q"), Hit(2, 0.3, "r")]  # "刚买的热水器可以退吗" and the return policy
    assert decide(low, limits, named_best=True) == "answer"
    assert decide(low, limits, question=True, rules=True) == "none"  # no other rule answers
    assert decide([Hit(1, 0.3, "q")], limits, named_best=True) == "none"  # the score disagrees
    assert decide(low, Thresholds(answer=0.8, suggest=0.5), named_best=True) == "none"
    with pytest.raises(ValueError, match="named"):
        Thresholds(answer=0.7, suggest=0.5, named=0.9)


def test_greetings_and_announcements_of_a_question_weigh_nothing():
    words = default_analyzer().words("你好，请问发票怎么开")
    assert "你好" not in words and "请问" not in words
    assert "发票" in words
    # the question itself decides, however politely it is announced (the words match
    # exactly; the semantic part, which reads the whole text, differs a little)
    assert similarity("我想问下保修多久", "保修多久") >= 0.9
    assert similarity("亲 打扰一下 能开专票吗", "能开专票吗") >= 0.9
