"""What an agent sees of a conversation in the desk, in headless Chromium on the real stack.

张伟 (C001), logged in on a shop's web widget, lists his orders, clicks one of the
buttons the bot offers and asks for a human. The agent sees his row (masked name, 网页,
the last message, a wait timer), accepts, and finds the whole conversation: the bot's
part with the buttons it offered and the click, his messages, the system events; the
bot's summary in Chinese; the customer panel with his masked phone and orders. A
suggested answer goes into the reply box with one click, "/" opens the canned answers
of canned.yml, and closing asks for a reason first. On a 360 px phone nothing overflows
sideways, the summary names the slots the bot collected, and the keyboard accepts.
Debian's chromium only; the tests skip without it (see ``test_web_widget``).
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from zhike.tools.stack import Stack

from . import test_web_widget as widget_tests
from .conftest import desk as on_desk
from .test_desk import Account, DeskPage, contexts, create_agent

pytestmark = pytest.mark.e2e

expect = widget_tests.expect
browser = widget_tests.browser  # the module's chromium (skips when it is missing)
shop = widget_tests.shop
Widget = widget_tests.Widget
__all__ = ["contexts"]  # the fixture, used by the tests below

CANNED = "好的，请您稍等，我马上为您查询一下。"  # canned.yml, group 查询中


def logged_in_widget(stack: Stack, context: Any, shop: Callable[[str], str]) -> Widget:
    """张伟 (C001) in the web widget of a shop page that logged him in."""
    token = widget_tests._login_token("C001")
    page = context.new_page()
    page.goto(shop(widget_tests._shop_page(stack, f'data-login-token="{html.escape(token)}"')))
    widget = Widget(page)
    widget.launcher.click()
    return widget.online()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def test_an_agent_sees_the_whole_conversation_and_works_with_assist(
    fresh: Stack, contexts: Any, shop: Callable[[str], str]
) -> None:
    account: Account = create_agent(fresh)
    customer, agent = contexts
    desk = DeskPage(fresh, agent)
    desk.go_online(account)
    widget = logged_in_widget(fresh, customer, shop)
    widget.say("我的订单列表", "点选可查看详情")
    widget.button("HP20240001").click()
    expect(widget.bot.filter(has_text="SF1234567890")).to_be_visible()
    widget.say("转人工", "转接人工客服")
    widget.say("快递三天没动了", "已转给人工客服")
    sender = widget.session_id()

    row = desk.row(sender)
    expect(row.locator(".row-name")).to_have_text("张*")
    expect(row.locator(".channel")).to_have_text("网页")
    expect(row.locator(".row-preview")).to_contain_text("快递三天没动了")
    expect(row.locator(".wait")).to_contain_text(re.compile(r"等待 (\d+分)?\d+秒"))
    assert sender not in row.inner_text()  # a name, not the 32-character id

    desk.accept(sender)
    bot = desk.transcript.locator(".src-bot.from-bot")
    expect(bot.first.locator(".who")).to_contain_text("机器人")
    expect(desk.transcript.locator(".offered-button", has_text="HP20240001").first).to_be_visible()
    clicked = desk.transcript.locator(".clicked")
    expect(clicked.first).to_contain_text("点击了按钮")
    expect(clicked.first).to_contain_text("HP20240001")
    expect(desk.transcript.locator(".src-bot.from-user", has_text="转人工").first).to_be_visible()
    expect(desk.said("user")).to_have_text(["快递三天没动了"])
    system = desk.transcript.locator(".from-system .text")
    expect(system.filter(has_text="进入排队")).to_have_count(1)
    expect(system.filter(has_text=f"{account.name} 接入了会话")).to_have_count(1)

    summary = desk.page.locator("#summary")
    expect(summary.locator(".summary-reason")).to_have_text("客户要求转人工")
    expect(summary.locator(".summary-intent")).to_have_text("查看我的订单")  # list_orders
    expect(summary).to_contain_text("渠道网页")

    panel = desk.page.locator("#customer")
    expect(panel.locator(".cust-phone")).to_have_text("手机 138****8001")
    expect(panel.locator(".vip")).to_have_text("VIP")
    expect(panel).to_contain_text("最近订单")
    expect(panel.locator(".cust-list li", has_text="HP20240001")).to_be_visible()
    assert "13800138001" not in panel.inner_text()

    widget.send("你们的退货政策是什么")
    expect(desk.said("user").last).to_have_text("你们的退货政策是什么")
    suggestion = desk.page.locator("#suggestions .suggestion").first
    expect(suggestion).to_contain_text("7天内支持无理由退货")
    suggestion.click()
    expect(desk.page.locator("#reply")).to_have_value(re.compile("7天内支持无理由退货"))
    expect(desk.page.locator("#reply")).to_be_focused()

    desk.page.fill("#reply", "")
    desk.page.press("#reply", "/")
    expect(desk.page.locator("#canned-menu")).to_be_visible()
    expect(desk.page.locator("#canned-list h4").first).to_have_text("问候")
    desk.page.fill("#canned-search", "稍等")
    items = desk.page.locator("#canned-list .canned-item")
    expect(items.first).to_be_visible()
    for text in items.all_inner_texts():
        assert "稍等" in text
    desk.page.press("#canned-search", "ArrowDown")
    expect(items.first).to_be_focused()
    items.filter(has_text=CANNED).click()
    expect(desk.page.locator("#reply")).to_have_value(CANNED)
    expect(desk.page.locator("#canned-menu")).to_be_hidden()
    desk.page.press("#reply", "Enter")
    expect(desk.page.locator("#send-status")).to_have_text("已送达")
    agent_line = desk.transcript.locator(".src-desk.from-agent").last
    expect(agent_line.locator(".who")).to_contain_text(account.name)
    expect(widget.bot.filter(has_text=CANNED)).to_be_visible()

    desk.page.click("#close")
    expect(desk.page.locator("#close-confirm")).to_be_visible()
    expect(desk.page.locator("#disposition")).to_have_value("")
    expect(desk.page.locator("#disposition option").nth(1)).to_have_text("已解决")
    desk.page.click("#close-cancel")  # changed their mind: nothing happens
    expect(desk.page.locator("#close-confirm")).to_be_hidden()
    expect(desk.page.locator("#conv-state")).to_have_text("人工服务中")
    desk.close("resolved")
    expect(system.filter(has_text="会话已结束（已解决）")).to_have_count(1)
    widget.say("你们的退货政策是什么", "7天内支持无理由退货")  # the bot is back


def test_a_phone_sized_desk_does_not_overflow_and_works_by_keyboard(
    fresh: Stack, browser: Any
) -> None:
    account = create_agent(fresh)
    sender = f"e2e-{uuid.uuid4().hex}"
    summary = {
        "reason": "机器人连续未能理解",
        "intent": "request_refund",
        "slots": {"order_id": "HP20240002", "refund_reason": "尺码不合适"},
        "recent_messages": ["HP20240002申请退款", "尺码不合适"],
    }
    phone = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    phone.set_default_timeout(widget_tests.TIMEOUT_MS)
    try:
        desk = DeskPage(fresh, phone)
        no_sideways_scroll(desk.page)  # the login form
        desk.go_online(account)
        # what the bot does for a REST customer it hands over with slots it collected
        on_desk(fresh, lambda s: s.request_handoff(sender, "rest", None, "orders", summary))
        asked = "你们的退货政策是什么"
        on_desk(fresh, lambda s: s.route_user_message(sender, "rest", asked, f"{sender}:1"))
        row = desk.row(sender)
        expect(row.locator(".row-name")).to_have_text(f"访客 {sender[-4:].upper()}")
        expect(row.locator(".channel")).to_have_text("接口")
        expect(row.locator(".row-preview")).to_have_text(asked)
        brand = desk.page.locator(".brand").bounding_box()
        assert brand is not None and brand["height"] < 40  # one line, not a character a line
        no_sideways_scroll(desk.page)

        accept = row.locator("button.accept")
        accept.focus()
        desk.page.keyboard.press("Enter")  # the keyboard accepts as well
        expect(desk.row(sender, "#mine")).to_have_class("inbox-row current")
        expect(desk.page.locator("#reply")).to_be_focused()
        expect(desk.page.locator("#customer")).to_contain_text("匿名访客")
        terms = desk.page.locator("#summary dt")
        expect(terms.nth(1)).to_have_text("意图")
        expect(desk.page.locator(".summary-intent")).to_have_text("申请退款/退货")
        expect(terms.nth(2)).to_have_text("订单号")
        expect(terms.nth(3)).to_have_text("退款原因")
        expect(desk.page.locator(".summary-slot")).to_have_text(["HP20240002", "尺码不合适"])
        expect(desk.page.locator("#suggestions .suggestion").first).to_be_visible()
        no_sideways_scroll(desk.page)  # long suggested answers are cut, not wider
        desk.page.keyboard.press("Tab")  # from the reply box on to the buttons
        expect(desk.page.locator("#canned-open")).to_be_focused()
        desk.page.keyboard.press("Enter")
        expect(desk.page.locator("#canned-search")).to_be_focused()
        no_sideways_scroll(desk.page)
        desk.page.keyboard.press("Escape")
        expect(desk.page.locator("#canned-menu")).to_be_hidden()
        desk.close("user_left")
        no_sideways_scroll(desk.page)
    finally:
        phone.close()
