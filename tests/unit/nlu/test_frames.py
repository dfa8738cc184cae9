"""Frames: a request in the words customers use for it decides between the two models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

from zhike.common.topic_names import FRAME_KEY
from zhike.nlu.frames import FrameMatcher, Frames

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
        ("我刚才那个投诉大概多久有人处理", "query_ticket"),
        ("我那个快递明天能到不", "query_logistics"),
        ("手机还要多久才送到啊", "query_logistics"),
        ("包裹三天了物流都没更新", "query_logistics"),
        ("我的东西现在到哪儿了", "query_logistics"),
        ("查询快递", "query_logistics"),
        ("帮我查下物流", "query_logistics"),
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
        ("孩子最近有什么课", "query_course"),  # DIET 0.70 on one model: the timetable
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
        ("这台电脑带不带蓝牙啊", "ask_product"),
        ("这款手机有无线充电吗", "ask_product"),
        ("在吗 带充电头么", "ask_product"),
        ("屏幕尺寸是多少", "ask_product"),
        ("笔记本能自己加内存吗", "ask_product"),
        ("快递怎么还没有给我送过来", "query_logistics"),
        ("包裹几天能到啊", "query_logistics"),
        ("我的订单预计到达是几号", "query_logistics"),
        # signed for but never received: the parcel's lookup offers a person
        ("快递显示签收了 可我没收到", "query_logistics"),
        ("包裹没收到 怎么就显示已确认了", "query_logistics"),
        ("保价 HP20241001", "request_price_protection"),
        ("咱们店里有卖充电宝吗", "ask_product"),
        ("https://shop.example.com/item/A-1.html 这个味道酸吗", "ask_product"),
        ("为什么拒绝我的售后", "query_refund"),
        ("能不能改成送到公司 地址是文三路100号", "modify_address"),
        ("空调什么时候能装", "query_visit"),
        ("我没有收到货，但是显示已确认", "query_logistics"),
        ("货还没寄到 帮我看看到哪了", "query_logistics"),
        ("我的退货什么时候可以处理", "query_refund"),
        ("能退差价吗 订单号HP20241001", "request_price_protection"),
        ("退货寄回去好几天了怎么没物流信息", "query_ticket"),
        ("质量太差了 我需要退货", "request_refund"),
        ("牛奶我要退两箱", "request_refund"),
        ("前天买的洗衣机降价200 订单号HP20240002", "request_price_protection"),
        ("我申请了售后 到现在都没审核", "query_ticket"),
        ("我这个地址搞错了 能不能改一下", "modify_address"),
        ("订单都取消了 怎么还没退款", "query_refund"),
        ("昨天买的洗衣机忘了要发票", "request_invoice"),
        ("发票也要开", "request_invoice"),
        ("发票帮我开一张吧", "request_invoice"),
        ("刚申请的换货 什么时候能寄出来", "query_exchange"),
        ("我周末要出门 这单能提前送吗", "schedule_delivery"),
        ("上周那单的发票开了么", "query_invoice"),
        ("麻烦重新开一张带公司税号的抬头", "change_invoice"),
        ("帮我看下这单取消的原因", "query_order"),
        ("我要退英语阅读课", "cancel_course"),
        ("数学课不想上了 给我退了吧", "cancel_course"),
        ("都两天了还没人联系我", "query_ticket"),
        ("包裹是不是丢了 帮我查查", "query_logistics"),
        ("明天会送吗", "query_logistics"),
        ("三天了都没有物流信息", "query_logistics"),
        ("寄到海南岛一般要几天", "ask_shipping"),
        ("满几件能包邮啊", "ask_shipping"),
        ("你们卖电动牙刷吗", "ask_product"),
        ("有没有卖儿童座椅的", "ask_product"),
        ("那钱啥时候退给我", "query_refund"),
        ("就HP20240004那个 退到哪一步了", "query_refund"),  # not the parcel's progress
        ("哪些还没收到", "list_orders"),  # the orders the question picks
        ("还有哪几单没发货啊", "list_orders"),
        ("没收到的订单有哪些", "list_orders"),
        ("我有几个单子在路上？都到哪了", "list_orders"),  # several parcels, listed
        ("把数学课的提醒给我开一下", "subscribe_course_notifications"),
        ("能不能设个上课提醒", "subscribe_course_notifications"),
        ("别给我发上课提醒了", "unsubscribe_course_notifications"),
        ("装电视那个先取消吧 等新的到了再说", "cancel_visit"),  # not the TV's order
        ("那就拦了吧", "intercept_parcel"),  # the verb alone, after the parcel
        ("1405那台空调不制冷了 找个人来修修", "book_visit"),  # a repair
        ("十来平的小卧室 装多大匹数的空调合适", "ask_product"),  # not booking a visit
        ("订单取消了 钱什么时候退给我", "query_refund"),  # the refund of a cancelled order
        ("发到成都的话几天能到", "ask_shipping"),  # a product's delivery to a region
        ("我的快递发货了几天还没到", "query_logistics"),  # a parcel on its way
        ("麻烦帮我催一下", "query_logistics"),
        ("我的快递怎么一直没有动静", "query_logistics"),
        ("师傅能提前来安装吗", "change_visit"),
        ("明天没法安装 家里还没收拾好", "change_visit"),
        ("页面一直显示缺货的那个订单还要等多久", "query_order"),
        ("我那个单子其他东西都发货了没", "query_order"),
        ("帮我转3号客服", "human_handoff"),
        ("孩子下一节英语课是几点", "query_course"),
        ("我要投诉 你们处理一下", "complain"),  # a complaint, not its status
        ("你们这服务也太差了吧", "complain"),
        ("卧室十来平 空调买哪款比较合适", "ask_product"),  # the goods named and asked about
        ("洗碗机能洗锅吗", "ask_product"),
        ("麻烦看下我订单 商家接单没有", "query_order"),  # whether it was taken
        ("我家空调师父几点来", "query_visit"),  # a typo, and DIET's "another domain"
        ("下节课帮我挪到周六", "reschedule_course"),  # moving a lesson, not the timetable
        ("我周五的英语课想调一下", "reschedule_course"),
        ("下节课请个假 家里有事", "reschedule_course"),
        ("冰箱送到了 能不能安排安装", "book_visit"),  # the installer, not the goods
        ("刚买就降价了 太坑了 给我补差价", "request_price_protection"),  # not a complaint
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
        "如果降价了能申请价保吗",  # a question about the rules
        "为什么我的订单被取消了",
        "降价了可以补差价吗",  # the rules of price protection
        "安装要收费吗",
        "你们有会员吗",  # the membership, a knowledge-base question
        "确认收货后多久能退款",
        "现在申请退款还来得及吗",
        "这个能不能免费试听",  # the school's trial lesson: the knowledge base
        "师傅不用来了 不要了 取消吧",  # the installation visit
        "等了都一个礼拜了",  # 礼拜 is no bye
        "我要听再见",  # a song
        "我的快递号码是多少",  # the tracking number, not the courier's phone
        "换货一般要多久",
        "快递员的电话多少 我收货电话写错了",  # two requests: the customer is asked
        "想问下取消订单的话优惠券还给吗",
        "换开的发票什么时候能好",
        "我想约周六送货",  # choosing a delivery time
        "电子发票没收到 麻烦重新发一下",  # sending the invoice again
        "可以开专票吗",  # a question about the rules
        "怎么提交工单",
        "查一下我最近的订单",  # the list of orders
        "怎么还没收到短信",  # the identity check's code
        "今天天气怎么样",
        "这个支持价保吗",  # the rules of price protection, not the product
        "这款手机有保修吗",  # the warranty rules
        "这个能用花呗吗",  # paying
        "验证码还没有收到",
        "帮我把退货取件改到后天",  # the return's pickup, not a new return
        "帮我查下退款",  # the refund under way
        "今天可以到的非得要绕",  # a complaint of the route
        "我的订单设置的是明天晚上六点以后送到 能不能修改一下",  # the delivery time changed
        "你好 我申请退货的运费 店家说原路返还",  # the return's postage, no return started
        "退课怎么退费",  # the withdrawal's rules
        "退课的钱什么时候到",  # the money of a withdrawal made
        "可以退课吗",
        "预约了安装 怎么还没人联系我",  # the visit
        "快递怎么还没人联系我",  # the parcel
        "今天能送吗 我想约明天",  # choosing the delivery day
        "丢件了怎么赔",  # the compensation
        "退货的邮费谁来出",  # a return's postage: the return policy
        "开了会员是不是就包邮",  # a member's free delivery: the knowledge base
        "卖家怎么联系",  # the seller, not whether the shop sells it
        "我所有的订单都发货了吗",  # the list of orders
        "哪些地区不发货",  # the shipping policy, not my orders
        "半小时后提醒我关火",  # a reminder of another domain
        "安装费能取消吗",  # the fee, not the visit
        "人工客服几点上班",  # the service hours
        "推荐几部好看的电视剧",  # a series, not a television
        "快递师傅几点来取件",  # the courier, also called 师傅
        "请假要提前多久说",  # the leave rules: the knowledge base
        "调课会扣课时吗",
        "课程可以请假吗",
        "空调能开发票吗",  # the goods named, the invoice asked for
        "刚买的空调可以退吗",  # the return rules
        "商家电话多少 我联系下",  # the seller's number
    ],
)
def test_neighbouring_requests_and_questions_fit_no_frame(text: str) -> None:
    assert FRAMES.fitting(text) == []


@pytest.mark.parametrize("text", ["发票开了吗", "发票开错了", "发票怎么开", "发票要开吗"])
def test_the_invoice_named_first_is_asked_for_only_in_words_of_asking(text: str) -> None:
    assert "request_invoice" not in FRAMES.fitting(text)


def _training_examples() -> Iterator[tuple[str, str]]:
    """``(intent, text)`` of every training example in data/nlu, as a customer typed it."""
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = str(item.get("intent") or "")
            for line in str(item.get("examples") or "").splitlines():
                yield intent, ANNOTATION.sub(r"\1", line.strip().removeprefix("- "))


def test_no_frame_fits_a_training_example_of_another_intent() -> None:
    clashes = [
        (frame, intent, text)
        for intent, text in _training_examples()
        for frame in FRAMES.fitting(text)
        if frame != intent
    ]
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


def test_a_request_its_words_contradict_is_asked_about() -> None:
    title = _parsed(  # DIET: a new invoice; the words: the title on the invoice is wrong
        "你好 我的发票怎么是个人? 我填的是公司抬头",
        "request_invoice",
        [("request_invoice", 0.84), ("inform", 0.02), ("request_price_protection", 0.01)],
    )
    _matcher().process([title])
    assert title.get("intent")["name"] == "nlu_fallback"
    assert [e["name"] for e in title.get("intent_ranking")][:3] == [
        "nlu_fallback",
        "request_invoice",
        "change_invoice",
    ]


def test_words_of_another_request_do_not_overrule_two_sure_models() -> None:
    ranking = [("request_refund", 0.95), ("query_refund", 0.01), ("greet", 0.01)]
    both = _parsed(
        "今天下单，下错了码数 刚看到申请了退款", "request_refund", ranking, second="request_refund"
    )
    doubted = _parsed(
        "今天下单，下错了码数 刚看到申请了退款", "request_refund", ranking, second="query_refund"
    )
    _matcher().process([both, doubted])
    # the words say a refund's status, both models a new refund: the customer is asked
    assert both.get("intent")["name"] == "nlu_fallback"
    assert [e["name"] for e in both.get("intent_ranking")][1:3] == [
        "request_refund",
        "query_refund",
    ]
    # the linear model reads the words' request: the words decide
    assert doubted.get("intent")["name"] == "query_refund"


def test_words_that_fit_no_other_request_leave_the_model_alone() -> None:
    greeting = _parsed(  # not a request: the words only decide between requests
        "你好 我要修改收货地址",
        "greet",
        [("greet", 0.8), ("chitchat", 0.1), ("goodbye", 0.05)],
    )
    two = _parsed(  # two frames, one per clause: the also-asked offer handles the second
        "帮我查下HP20240001到哪了 另外HP20240002的发票开了没",
        "query_invoice",
        [("query_invoice", 0.9), ("list_orders", 0.05), ("greet", 0.01)],
    )
    _matcher().process([greeting, two])
    assert greeting.get("intent")["name"] == "greet"
    assert two.get("intent")["name"] == "query_invoice"


def test_two_frames_a_person_and_a_button_payload_are_left_alone() -> None:
    both = _parsed(  # a new address and a price protection in one breath: the customer is asked
        "帮我改下地址和申请价保",
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


# Topics the robot does not serve (frames.yml, beyond), as customers and sellers type them.
