"""售前 end to end: visitors ask about products, delivery and fees through the real stack.

Answers come from the backend's catalogue (stock, spec, fit, delivery days by region and
the shops' fee rules); what the robot cannot answer -- a product the shop does not sell,
a comparison -- is queued for the 售前 (presales) group, where a presales agent sees it
through the desk API and an orders agent does not.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from zhike.servers.desk.delivery.rasa_api import RasaConversations
from zhike.tools.stack import Stack

from .conftest import Conversation, desk
from .test_desk import PASSWORD, Account, create_agent

pytestmark = pytest.mark.e2e


def test_stock_spec_and_fit_are_answered_from_the_catalogue(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    answer = visitor.say("格力那个1.5匹空调还有货吗")
    assert "格力 云佳 1.5 匹" in answer and "目前有货" in answer
    assert "8GB+256GB" in visitor.say("这个手机内存多大")
    assert "可以的" in visitor.say("钢化膜适合note13pro吗")
    assert "不适用于" in visitor.say("那iphone15能贴吗")
    out = visitor.say("三只松鼠坚果礼盒还有货吗")
    assert "暂时缺货" in out and "预计" in out


def test_a_product_question_in_a_customers_words_is_answered_or_asked_about(
    fresh: Stack,
) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    # no product named and none before: which one, not "您是想咨询…" or "没有查到"
    which = visitor.say("在吗 是什么颜色的?")
    assert "哪款商品" in which and "您是想咨询" not in which
    answer = visitor.say("这款手机带不带耳机啊")
    assert "您是想咨询" not in answer and "Redmi Note 13 Pro" in answer
    assert "子夜黑" in visitor.say("是什么颜色的?")  # the phone just talked about


def test_a_phone_named_with_its_brand_is_the_phone_not_its_accessory(fresh: Stack) -> None:
    answer = Conversation(fresh.config.rasa_url).say("Redmi Note 13 Pro 有几种颜色")
    assert "钢化膜" not in answer  # was: the screen protector's parameters
    assert "子夜黑" in answer


def test_delivery_time_to_a_region_with_follow_ups_and_the_fee(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    assert "目前有货" in visitor.say("格力1.5匹的空调有现货吗")
    far = visitor.say("发到新疆要几天")
    assert "发往新疆预计 5–8 天送达" in far and "偏远地区" in far
    assert "发往四川预计 3–4 天送达" in visitor.say("那发到成都要几天")
    assert "包邮" in visitor.say("运费多少")  # the air conditioner to 四川, remembered
    tissue = visitor.say("买两包纸包邮吗")
    assert "运费 6.00 元" in tissue and "再买 ¥59.20 就能包邮" in tissue
    assert "满 99 元免运费" in visitor.say("运费怎么算")


class DeskApi:
    """An agent logged in to the desk API (cookie session + CSRF token)."""

    def __init__(self, stack: Stack, account: Account) -> None:
        self.base = f"{stack.config.desk_url}/api/desk/v1"
        login = httpx.post(
            f"{self.base}/login",
            json={"username": account.username, "password": PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        token = max(  # the session's cookie, not the one clearing an old path
            (
                value
                for header in login.headers.get_list("set-cookie")
                for name, _, value in [header.split(";")[0].partition("=")]
                if name == "zhike_desk_session"
            ),
            key=len,
        )
        self.headers = {
            "Cookie": f"zhike_desk_session={token}",
            "X-CSRF-Token": login.json()["csrf_token"],
        }

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", headers=self.headers, timeout=30)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.base}{path}", json=body, headers=self.headers, timeout=30)


def _queued(stack: Stack, sender: str) -> int:
    [waiting] = [w for w in desk(stack, lambda s: s.queue()) if w.sender_id == sender]
    return waiting.conversation_id


def _hand_back(stack: Stack, sender: str, conversation_id: int) -> None:
    desk(stack, lambda s: s.close(conversation_id, None, "resolved"))
    rasa = RasaConversations(stack.config.rasa_url, stack.config.rasa_token)
    asyncio.run(rasa.set_handoff_state(sender, None))


def test_an_unknown_product_goes_to_a_presales_agent(fresh: Stack) -> None:
    presales = DeskApi(fresh, create_agent(fresh, "presales"))
    orders = DeskApi(fresh, create_agent(fresh, "orders,general"))
    assert presales.post("/me/status", {"online": True}).status_code == 200

    visitor = Conversation(fresh.config.rasa_url)
    replies = visitor.send("你们有卖戴森吹风机吗")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert "没有查到您说的这款商品" in text
    buttons = [b["payload"] for reply in replies for b in reply.get("buttons", [])]
    assert "/human_handoff" in buttons
    assert "已为您转接人工客服" in visitor.say("转人工")

    conversation_id = _queued(fresh, visitor.sender)
    queue = presales.get("/queue").json()["groups"]
    assert [e["conversation_id"] for e in queue["presales"]] == [conversation_id]
    detail = presales.get(f"/conversations/{conversation_id}").json()["conversation"]
    assert detail["skill_group"] == "presales"
    assert detail["summary"]["intent"] == "ask_product"
    assert "presales" not in orders.get("/queue").json()["groups"]
    assert orders.get(f"/conversations/{conversation_id}").status_code == 403
    _hand_back(fresh, visitor.sender, conversation_id)

    shopper = Conversation(fresh.config.rasa_url)  # a comparison: handed over at once
    answer = shopper.say("这两款空调哪个更好")
    assert "售前顾问" in answer and "已为您转接人工客服" in answer
    conversation_id = _queued(fresh, shopper.sender)
    info = desk(fresh, lambda s: s.conversation(conversation_id))
    assert info.skill_group == "presales"
    _hand_back(fresh, shopper.sender, conversation_id)


def test_a_pasted_product_page_names_the_product(fresh: Stack) -> None:
    visitor = Conversation(fresh.config.rasa_url)
    answer = visitor.say("https://shop.example.com/item/GREE-KFR35-YT.html 这个还有货吗")
    assert "格力 云佳 1.5 匹" in answer and "目前有货" in answer
    assert "四川" in visitor.say("发到成都要几天")  # the product of the link
    unknown = visitor.say("味道酸吗 https://shop.example.com/item/965130.html")
    assert "这个链接里的商品我这边没有查到" in unknown and "转售前客服" in unknown
