"""Requests in the words customers use for them are acted on, through the real stack.

Messages both models are unsure of, whose key words leave no doubt
(zhike/nlu/frames.yml): the customer gets the request, not "您是想咨询…". Each message
is checked first to fit its frame, so the test says which words carry it.
"""

from __future__ import annotations

import httpx
import pytest

from zhike.nlu.frames import Frames
from zhike.tools.stack import Stack

from .conftest import API, AppConversation

pytestmark = pytest.mark.e2e

FRAMES = Frames.load()
UNSURE = "您是想咨询"


def test_a_hurried_parcel_is_looked_up(zhang_app: AppConversation) -> None:
    said = "麻烦尽快给我安排配送吧 急着用"
    assert FRAMES.fitting(said) == ["query_logistics"]
    answer = zhang_app.say(said)
    assert UNSURE not in answer
    # a known customer picks the order; its tracking follows
    payloads = [b["payload"] for b in zhang_app.buttons(said)]
    assert "HP20240001" in payloads
    assert "SF1234567890" in zhang_app.say("HP20240001")


def test_an_arrival_question_about_this_order_gets_its_eta(zhang_app: AppConversation) -> None:
    said = "HP20240001这单明天能到货吗"
    assert FRAMES.fitting(said) == ["query_logistics"]
    answer = zhang_app.say(said)
    assert UNSURE not in answer and "预计送达" in answer


def test_a_wrong_invoice_title_starts_the_change(zhang_app: AppConversation) -> None:
    said = "发票抬头开成个人了，我要的是公司的"
    assert FRAMES.fitting(said) == ["change_invoice"]
    answer = zhang_app.say(said)
    assert UNSURE not in answer and "订单" in answer  # which order's invoice


def test_the_courier_of_an_order_is_given_when_asked_in_passing(
    zhang_app: AppConversation,
) -> None:
    said = "HP20240001 派件员的电话是多少啊"
    assert FRAMES.fitting(said) == ["query_courier_contact"]
    answer = zhang_app.say(said)
    assert UNSURE not in answer
    assert "HP20240001" in answer and "SF1234567890" in answer


def test_a_new_receiver_phone_and_an_exchange_status_are_acted_on(
    zhang_app: AppConversation,
) -> None:
    phone = "我换号了 订单上的收件电话帮我改一下"
    assert FRAMES.fitting(phone) == ["change_receiver_phone"]
    answer = zhang_app.say(phone)
    assert UNSURE not in answer and "订单" in answer  # which order's phone
    zhang_app.say("/restart")
    exchange = "上周申请的换货现在啥进度"
    assert FRAMES.fitting(exchange) == ["query_exchange"]
    answer = zhang_app.say(exchange)
    assert UNSURE not in answer and "哪一笔订单" in answer  # the exchange of which order


@pytest.mark.parametrize("yes", ["好的", "嗯 取消吧"])
def test_not_wanting_an_order_not_shipped_yet_leads_to_cancelling_it(
    zhang_app: AppConversation, yes: str
) -> None:
    replies = zhang_app.send("HP20240003还没发货吧 我不想要了")
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "申请退款/退货" not in titles
    if "确认取消" not in titles:  # the status, then the cancellation offered: a yes takes it
        assert titles == ["取消订单"]
        replies = zhang_app.send(yes)
    said = "\n".join(r.get("text", "") for r in replies)
    assert "确认要取消订单 HP20240003" in said
    assert "确认取消" not in zhang_app.say("我再想想")  # nothing cancelled


def test_two_requests_in_one_message_are_both_served(zhang_app: AppConversation) -> None:
    replies = zhang_app.send("帮我查下HP20240001到哪了 另外HP20240002的发票开了没")
    said = "\n".join(r.get("text", "") for r in replies)
    assert "HP20240002" in said and "发票" in said  # one request answered ...
    buttons = [b for r in replies for b in r.get("buttons", [])]
    offered = [b for b in buttons if "HP20240001" in b["title"]]
    assert offered and "您刚才还提到" in said  # ... the other offered with its order
    assert "SF1234567890" in zhang_app.say("好的")  # a plain yes takes it


def test_a_second_request_waits_for_the_form_the_first_one_started(
    zhang_app: AppConversation,
) -> None:
    # whether the address form asks its questions or the parcel is read first, the other
    # request comes once the first is done
    replies = zhang_app.send("帮我改个收货地址 另外我那个快递到哪了")
    said = "\n".join(r.get("text", "") for r in replies)
    if "您刚才还提到" not in said:  # the address form asks its questions first
        assert "SF1234567890" not in said
        zhang_app.say("HP20240003")
        zhang_app.say("上海市浦东新区张江路100号 张伟 13800138001")
        replies = zhang_app.send("确认修改")
        said = "\n".join(r.get("text", "") for r in replies)
        assert "已修改" in said
    assert "您刚才还提到" in said
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert any("物流" in title or "地址" in title for title in titles)


def test_a_question_answered_during_the_form_keeps_the_second_request(
    zhang_app: AppConversation,
) -> None:
    replies = zhang_app.send("麻烦帮我改下收货地址 还有我那个快递到哪了")
    said = "\n".join(r.get("text", "") for r in replies)
    assert "哪一笔订单" in said and "您刚才还提到" not in said  # the clauses in their order
    zhang_app.say("HP20240003")
    aside = zhang_app.say("对了 你们人工客服几点上班")
    assert "在线" in aside or "9" in aside  # answered in passing, the form goes on
    zhang_app.say("上海市浦东新区张江路100号 张伟 13800138001")
    replies = zhang_app.send("确认修改")
    said = "\n".join(r.get("text", "") for r in replies)
    assert "已修改" in said and "您刚才还提到" in said


def test_the_order_whose_goods_the_customer_named_is_offered_first(
    zhang_app: AppConversation,
) -> None:
    said = "那双鞋子磨脚 我需要退货"
    assert FRAMES.fitting(said) == ["request_refund"]
    first = zhang_app.buttons(said)[0]
    assert first["payload"] == "HP20241301" and "鞋" in first["title"]  # the running shoes


def test_a_parcel_asked_after_beside_an_invoice_question_is_not_lost(
    stack: Stack, zhang_app: AppConversation
) -> None:
    said = "空调啥时候到 还有能不能开个发票"
    assert FRAMES.fitting("空调啥时候到") == ["query_logistics"]
    payloads = [b["payload"].split("{")[0] for b in zhang_app.buttons(said)]
    if "/query_logistics" in payloads:  # "您是想咨询": the parcel first (was: two invoice readings)
        assert payloads.index("/query_logistics") == 0
        listed = zhang_app.buttons("查询物流进度")  # the pick typed: the goods named come first
        assert "空调" in listed[0]["title"]
        return
    # a model sure of the invoice starts it, and the parcel is offered once it is done
    parse = httpx.post(
        f"{stack.config.rasa_url}/model/parse", params=API, json={"text": said}, timeout=30
    ).json()
    assert parse["intent"]["name"] != "nlu_fallback"
    assert parse["also"]["intent"] == "query_logistics"


def test_the_parcel_is_offered_once_the_invoice_picked_instead_is_done(
    zhang_app: AppConversation,
) -> None:
    said = "空调啥时候到 还有能不能开个发票"
    first = zhang_app.send(said)
    payloads = [b["payload"].split("{")[0] for r in first for b in r.get("buttons", [])]
    if "/request_invoice" in payloads:  # "您是想咨询…": the customer picks the invoice
        assert "哪一笔订单" in zhang_app.say("申请开发票")
    else:  # a model sure of the invoice starts it at once
        assert "哪一笔订单" in "\n".join(r.get("text", "") for r in first)
    zhang_app.say("HP20241405")
    zhang_app.say("个人")
    replies = zhang_app.send("确认")
    answer = "\n".join(r.get("text", "") for r in replies)
    assert "开票申请已提交" in answer or "已经申请过发票" in answer
    assert "您刚才还提到" in answer  # ... and the parcel asked about first is not lost
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert titles == ["查询物流进度"]
