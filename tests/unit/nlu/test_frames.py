"""Frames: a request in the words customers use for it decides between the two models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.frames import FRAME_KEY, FrameMatcher, Frames

ROOT = Path(__file__).resolve().parents[3]
FRAMES = Frames.load()
# "[顺丰](courier)" and "[x]{...}" in training examples: the customer typed the text only
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def _parsed(
    text: str,
    intent: str,
    ranking: list[tuple[str, float]],
    second: str | None = None,
) -> Message:
    data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": dict(ranking).get(intent, 0.45)},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
    }
    if second:
        data["second_opinion"] = {"name": second, "confidence": 0.4}
    return Message(data=data)


def _matcher() -> FrameMatcher:
    return FrameMatcher(FrameMatcher.get_default_config(), FRAMES)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("麻烦尽快给我配送一下，急用", "query_logistics"),
        ("我那个快递明天能到不", "query_logistics"),
        ("手机还要多久才送到啊", "query_logistics"),
        ("包裹三天了物流都没更新", "query_logistics"),
        ("我的东西现在到哪儿了", "query_logistics"),
        ("发票抬头写错了 帮我改成公司的", "change_invoice"),
        ("能不能给我重开一张专票", "change_invoice"),
        ("手机降价了 我要申请价保", "request_price_protection"),
        ("鞋子不合适 我想退货", "request_refund"),
        ("帮我把昨天那个订单取消掉", "cancel_order"),
        ("算了 不想要了 取消吧", "cancel_order"),
        ("算了不退了 再见", "goodbye"),
        ("收货地址填错了 能改一下吗", "modify_address"),
        ("这款耳机支持降噪吗", "ask_product"),
        ("上周申请的退款现在什么进度", "query_refund"),
        ("退款到底处理了吗 都一周了", "query_refund"),
        ("价保的结果出来了没", "query_price_protection"),
        ("申请了保价 钱到账了吗", "query_price_protection"),
        ("下单时勾了要发票 怎么到现在还没收到发票", "query_invoice"),
        ("麻烦帮我开一张电子发票", "request_invoice"),
        ("我那个工单到底有没有人处理", "query_ticket"),
        ("帮我查个订单", "query_order"),
        ("我那个订单现在啥情况了", "query_order"),
        ("我换号了 订单上的收件电话帮我改一下", "change_receiver_phone"),
        ("派件员的电话是多少啊", "query_courier_contact"),
        ("上周申请的换货现在啥进度", "query_exchange"),
        ("鞋子有点挤 我想换个新的", "request_exchange"),
        ("能不能改一下送货时间 周末才在家", "schedule_delivery"),
        ("新买的油烟机 麻烦安排师傅上门安装", "book_visit"),
        ("我的退款怎么还没到账", "query_refund"),
        ("上周买的现在降价了200 给我退差价", "request_price_protection"),
        ("我上午申请价保了", "query_price_protection"),
        ("售后到底审核通过没有", "query_ticket"),
    ],
)
def test_a_customers_words_fit_their_request(text: str, intent: str) -> None:
    assert FRAMES.fitting(text) == [intent]


@pytest.mark.parametrize(
    "text",
    [
        "一般下单后多久能到",  # the shipping policy, not a parcel
        "换的那双鞋到哪了",  # an exchange
        "退款什么时候能到账",  # the refund's money
        "快递显示签收了 可我没收到",  # a delivered-but-missing parcel
        "如果降价了能申请价保吗",  # a question about the rules
        "为什么我的订单被取消了",
        "降价了可以补差价吗",  # the rules of price protection
        "安装要收费吗",
        "师傅不用来了 不要了 取消吧",  # the installation visit
        "等了都一个礼拜了",  # 礼拜 is no bye
        "我要听再见",  # a song
        "我的快递号码是多少",  # the tracking number, not the courier's phone
        "换货一般要多久",
        "快递员的电话多少 我收货电话写错了",  # two requests: the customer is asked
        "订单取消了 钱什么时候退给我",  # the refund of a cancelled order
        "想问下取消订单的话优惠券还给吗",
        "换开的发票什么时候能好",
        "我想约周六送货",  # choosing a delivery time
        "电子发票没收到 麻烦重新发一下",  # sending the invoice again
        "可以开专票吗",  # a question about the rules
        "怎么提交工单",
        "查一下我最近的订单",  # the list of orders
        "怎么还没收到短信",  # the identity check's code
        "今天天气怎么样",
    ],
)
def test_neighbouring_requests_and_questions_fit_no_frame(text: str) -> None:
    assert FRAMES.fitting(text) == []


def test_no_frame_fits_a_training_example_of_another_intent() -> None:
    clashes = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = str(item.get("intent") or "")
            for line in str(item.get("examples") or "").splitlines():
                text = ANNOTATION.sub(r"\1", line.strip().removeprefix("- "))
                clashes += [(f, intent, text) for f in FRAMES.fitting(text) if f != intent]
    assert clashes == [], "frames.yml fits examples of other intents (frame, intent, text)"


def test_every_frame_is_an_intent_of_the_domain() -> None:
    intents = set(Domain.load(str(ROOT / "domain")).intents)
    assert FRAMES.intents and FRAMES.intents <= intents


def test_an_unsure_message_in_a_requests_words_is_that_request() -> None:
    hurry = _parsed(
        "请尽快安排配送",
        "nlu_fallback",
        [("nlu_fallback", 0.61), ("query_logistics", 0.61), ("schedule_delivery", 0.2)],
    )
    title = _parsed(  # DIET took it for the invoice rules, the linear model agreed
        "我想换个发票抬头可以吗",
        "faq",
        [("faq", 0.76), ("request_invoice", 0.1), ("change_invoice", 0.08)],
    )
    _matcher().process([hurry, title])
    assert hurry.get("intent") == {"name": "query_logistics", "confidence": 0.61}
    assert [e["name"] for e in hurry.get("intent_ranking")] == [
        "query_logistics",
        "schedule_delivery",
    ]
    assert hurry.get(FRAME_KEY) == "query_logistics"
    assert title.get("intent")["name"] == "change_invoice"


def test_the_second_opinion_alone_supports_a_frame() -> None:
    late = _parsed(
        "这个订单可以明天到货吗",
        "nlu_fallback",
        [("nlu_fallback", 0.45), ("bind_account", 0.42), ("list_orders", 0.1), ("greet", 0.05)],
        second="query_logistics",
    )
    _matcher().process([late])
    assert late.get("intent")["name"] == "query_logistics"
    assert late.get("intent")["confidence"] == 0.0


def test_a_frame_no_model_considered_changes_nothing() -> None:
    policy = _parsed(
        "今天能发货吧?",
        "faq",
        [("faq", 1.0), ("query_courier_contact", 0.0), ("schedule_delivery", 0.0)],
        second="faq",
    )
    ranking = list(policy.get("intent_ranking"))
    _matcher().process([policy])
    assert policy.get("intent")["name"] == "faq"
    assert policy.get("intent_ranking") == ranking
    assert policy.get(FRAME_KEY) is None


def test_two_frames_a_person_and_a_button_payload_are_left_alone() -> None:
    both = _parsed(  # a new address and a price protection: the customer is asked
        "帮我改下地址，顺便申请价保",
        "nlu_fallback",
        [("nlu_fallback", 0.5), ("modify_address", 0.5), ("request_price_protection", 0.4)],
    )
    person = _parsed(
        "我要转人工 快点派送啊",
        "human_handoff",
        [("human_handoff", 0.85), ("query_logistics", 0.1)],
    )
    payload = _parsed('/query_order{"x": "到哪了"}', "query_order", [("query_order", 1.0)])
    _matcher().process([both, person, payload])
    assert both.get("intent")["name"] == "nlu_fallback"
    assert person.get("intent")["name"] == "human_handoff"
    assert payload.get("intent")["name"] == "query_order"


def test_a_broken_pattern_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "frames.yml"
    bad.write_text("frames:\n  query_logistics:\n    says: ['到哪(了']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="query_logistics.*到哪"):
        Frames.load(bad)
    empty = tmp_path / "empty.yml"
    empty.write_text("frames:\n  cancel_order:\n    unless: ['原因']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cancel_order.*says"):
        Frames.load(empty)
