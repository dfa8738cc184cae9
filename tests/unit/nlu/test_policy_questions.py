"""Requests phrased as questions about the rules, as customers type them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhike.nlu.policy_questions import PolicyQuestions

CUES = PolicyQuestions.load()


@pytest.mark.parametrize(
    "text",
    [
        "价格保护周期是多久啊",
        "今天买了手机 明天如果降价可以申请价保吗",
        "我想了解下你们的退货规则",
        "换货要几天能换好",
        "我想知道怎么开发票",
        "想问下降价了怎么保价",
        "这个保价么",
        "这款手机支持价格保护吗",
    ],
)
def test_questions_about_the_rules(text: str) -> None:
    assert CUES.asks_to_know("request_price_protection", text)


@pytest.mark.parametrize(
    "text",
    [
        "我买的这个单子买了几天就降价好多 能退差价吗",  # 买了几天: how long ago, not how long
        "帮我申请一下价保，降了50",
        "麻烦尽快处理，如果不行我就投诉",
        "保价",
        "昨天买的今天降了200 能保价吗",  # the drop said: a request
    ],
)
def test_requests_to_act(text: str) -> None:
    assert not CUES.asks_to_know("request_price_protection", text)


@pytest.mark.parametrize(
    ("intent", "text", "asks"),
    [
        ("request_refund", "刚买的热水器可以退吗", True),
        ("request_refund", "我这个订单可以退吗?", True),
        ("cancel_order", "取消订单的话优惠券会退回来吗", True),
        ("request_refund", "退款的话券还会还给我吗", True),
        ("request_refund", "可以退吗 帮我退了吧", False),  # asked to act after all
        ("request_refund", "我要退货", False),
        ("reschedule_course", "英语课能不能换个时间", False),  # a change asked for
        ("request_exchange", "这个能不能换货呀 买大了", False),  # ... and one to act on
        ("request_refund", "你好 这个还可以退货吗? 买了没用上", True),
        ("book_visit", "买空调送安装吗 还是要另外付钱", True),
        ("modify_address", "地址改一下收不收费", True),
        ("intercept_parcel", "拦截是免费的不", True),
        ("book_visit", "帮我约个师傅 安装要钱吗", False),  # asked to act too
        ("modify_address", "收货地址改一下会加钱不", True),
        ("intercept_parcel", "截回来的话会扣钱吗", True),
        ("cancel_order", "把单取消了 那张满减券还能用吗", True),  # what becomes of the coupon
        ("request_refund", "退了货红包还在不在", True),
    ],
)
def test_whether_it_may_be_returned_and_what_comes_back(intent: str, text: str, asks: bool) -> None:
    assert CUES.asks_to_know(intent, text) is asks


def test_only_the_listed_intents_are_looked_at() -> None:
    assert not CUES.asks_to_know("query_order", "我的订单多久能到")
    assert not CUES.asks_to_know(None, "退款多久到账")


def test_a_broken_phrase_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "cues.yml"
    broken.write_text("intents: [request_refund]\nknow: ['多久(']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no regular expression"):
        PolicyQuestions.load(broken)


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("刚买的热水器可以退吗", "退货政策是怎样的？"),
        ("收到发现小了 还能退换吗", "退货政策是怎样的？"),
        ("现在能不能退货了", "退货政策是怎样的？"),
        ("可以退吗 帮我退了吧", None),  # asked to act after all
        ("这个可以退款吗", None),  # the money, maybe of a refund under way
        ("请问这个可以退定金了吗", None),
        ("英语课能不能换个时间", None),
        # what a service costs
        ("师傅上门装电视另外收钱吗", "安装收费吗？"),
        ("热水器装机要不要费用", "安装收费吗？"),
        ("换个收货地址要手续费不", "修改收货地址要收费吗？"),
        ("快递拦回来收费么", "拦截快递要收费吗？"),
        ("拦截下来的快递 运费谁承担", "拦截快递要收费吗？"),
        ("订单取消了 之前用的满减券还能用吗", "取消订单或退款后，优惠券会退回吗？"),
        ("退了货红包还在不在", "取消订单或退款后，优惠券会退回吗？"),
        ("改成公司地址要另外加钱吗", "修改收货地址要收费吗？"),
        ("帮我预约安装", None),
    ],
)
def test_a_question_in_words_one_entry_answers_names_that_entry(
    text: str, entry: str | None
) -> None:
    assert CUES.named_entry(text) == entry


def test_every_named_entry_is_a_question_of_the_seeded_knowledge_base() -> None:
    root = Path(__file__).resolve().parents[3]
    seeded = yaml.safe_load((root / "data" / "kb" / "faq.yml").read_text(encoding="utf-8"))
    questions = {entry["question"] for entry in seeded}
    assert CUES.entries
    assert {question for question, _ in CUES.entries} <= questions


def test_the_fee_asked_with_the_request_is_a_question() -> None:
    """ "那正好 我搬家了 地址得改一下 改地址收钱不": the form started, the fee unanswered."""
    assert CUES.asks_to_know("modify_address", "我搬家了 地址得改一下 改地址收钱不")
    assert CUES.asks_to_know("intercept_parcel", "拦截的话要加钱吗")
    assert not CUES.asks_to_know("modify_address", "帮我改下地址 不收钱吧 快点")  # act
