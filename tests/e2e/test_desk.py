"""The agents' desk web app in headless Chromium, with a customer in the web widget.

A customer talks to the bot in the web chat widget (one browser context) and asks for a
human; an agent, created with ``python -m zhike.servers.desk create-agent`` on the stack's handoff
database, works in the desk page (another context): logs in, goes online, accepts, reads,
replies and closes, and the bot answers the customer again. Debian's chromium only; the
tests skip without it (see ``test_web_widget``).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from zhike.tools.stack import PROJECT_ROOT, Stack

from . import test_web_widget as widget_tests

pytestmark = pytest.mark.e2e

expect = widget_tests.expect
browser = widget_tests.browser  # the module's chromium (skips when it is missing)
Widget = widget_tests.Widget

PASSWORD = "e2e desk passphrase 坐席"
GREETING = "您好，我是智客客服，很高兴为您服务，请问有什么可以帮您？"  # canned.yml
ATTACK = "<img src=x onerror=alert(1)>"


@dataclass
class Account:
    username: str
    agent_id: str
    name: str


def create_agent(stack: Stack, groups: str = "orders,general") -> Account:
    """A new agent with a desk account, made by the CLI (password on stdin)."""
    suffix = uuid.uuid4().hex[:8]
    account = Account(f"e2e-desk-{suffix}", f"desk-{suffix}", f"坐席{suffix[:4]}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zhike.servers.desk",
            "create-agent",
            "--db-url",
            stack.config.handoff_db_url,
            "--username",
            account.username,
            "--agent-id",
            account.agent_id,
            "--name",
            account.name,
            "--groups",
            groups,
        ],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    return account


@pytest.fixture
def contexts(browser: Any) -> Any:
    """Two separate browser contexts: ``(customer, agent)``."""
    opened = [browser.new_context(locale="zh-CN") for _ in range(2)]
    for context in opened:
        context.set_default_timeout(widget_tests.TIMEOUT_MS)
    yield opened
    for context in opened:
        context.close()


class DeskPage:
    """The desk in a browser tab."""

    def __init__(self, stack: Stack, context: Any) -> None:
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        self.page.goto(f"{stack.config.desk_url}/")  # redirects to /desk/
        self.transcript = self.page.locator("#transcript")

    def login(self, account: Account, password: str = PASSWORD) -> None:
        expect(self.page.locator("#login-form")).to_be_visible()
        self.page.fill("#login-username", account.username)
        self.page.fill("#login-password", password)
        self.page.click("#login-submit")

    def go_online(self, account: Account) -> None:
        self.login(account)
        expect(self.page.locator("#agent-name")).to_have_text(account.name)
        self.page.click("#online-toggle")
        expect(self.page.locator("#online-label")).to_have_text("在线")

    def row(self, sender_id: str, where: str = "#queue") -> Any:
        """The inbox row of a conversation (the page shows a name, not the sender id)."""
        return self.page.locator(f'{where} li[data-sender-id="{sender_id}"]')

    def accept(self, sender_id: str) -> None:
        item = self.row(sender_id)
        expect(item.locator(".wait")).to_contain_text("秒")
        item.locator("button.accept").click()
        expect(self.row(sender_id, "#mine")).to_have_class("inbox-row current")
        expect(self.page.locator("#composer")).to_be_visible()

    def said(self, direction: str) -> Any:
        """What the desk's transcript holds from ``direction`` (not the bot's part)."""
        return self.transcript.locator(f".src-desk.from-{direction} .text")

    def canned(self, text: str) -> None:
        """Opens the canned answers with "/" in the empty reply box and picks ``text``."""
        self.page.fill("#reply", "")
        self.page.press("#reply", "/")
        expect(self.page.locator("#canned-menu")).to_be_visible()
        self.page.locator("#canned-list button", has_text=text).click()
        expect(self.page.locator("#reply")).to_have_value(text)

    def close(self, disposition: str) -> None:
        """结束会话: confirms with ``disposition`` (the choice starts empty)."""
        self.page.click("#close")
        expect(self.page.locator("#close-confirm")).to_be_visible()
        expect(self.page.locator("#disposition")).to_have_value("")
        expect(self.page.locator("#close-confirm-go")).to_be_disabled()
        self.page.select_option("#disposition", disposition)
        self.page.click("#close-confirm-go")
        expect(self.page.locator("#conv-state")).to_contain_text("已结束")

    def reply(self, text: str) -> None:
        self.page.fill("#reply", text)
        self.page.press("#reply", "Enter")
        expect(self.page.locator("#send-status")).to_have_text("已送达")


def handed_over(stack: Stack, contexts: Any, account: Account) -> tuple[Widget, DeskPage, str]:
    """The agent is online; the customer asked about an order, then for a human."""
    customer, agent = contexts
    desk = DeskPage(stack, agent)
    desk.go_online(account)
    widget = widget_tests._open_chat_page(stack, customer)
    widget.say("帮我查一下订单HP20240001", "后 4 位")
    widget.say("8001", "SF1234567890")
    widget.say("转人工", "转接人工客服")
    widget.say("快递三天没动了", "已转给人工客服")  # waiting: stored for the agent
    return widget, desk, widget.session_id()


def test_an_agent_accepts_in_the_desk_replies_to_the_widget_and_hands_back(
    fresh: Stack, contexts: Any
) -> None:
    account = create_agent(fresh)
    widget, desk, session_id = handed_over(fresh, contexts, account)

    desk.accept(session_id)
    expect(desk.said("user")).to_have_text(["快递三天没动了"])
    # the topic is the customer's request before 转人工: "帮我查一下订单HP20240001"
    expect(desk.page.locator(".summary-intent")).to_have_text("查询订单状态")
    expect(desk.page.locator(".summary-reason")).to_have_text("客户要求转人工")
    expect(desk.page.locator("#recent")).to_contain_text("转人工")
    expect(desk.page.locator("#agent-load")).to_have_text("接待 1/3")

    desk.canned(GREETING)
    desk.page.press("#reply", "Enter")
    expect(desk.page.locator("#send-status")).to_have_text("已送达")
    expect(desk.said("agent")).to_have_text([GREETING])
    expect(widget.bot.filter(has_text=GREETING)).to_be_visible()

    bot_answers = widget.bot.count()
    widget.send("在吗？我的快递到哪了")  # the bot is silent; the agent sees it
    expect(desk.said("user")).to_have_text(["快递三天没动了", "在吗？我的快递到哪了"])
    desk.page.fill("#reply", "第一行")
    desk.page.press("#reply", "Shift+Enter")  # a newline, not sent
    desk.page.locator("#reply").press_sequentially("第二行")
    expect(desk.page.locator("#reply")).to_have_value("第一行\n第二行")
    desk.page.press("#reply", "Enter")
    expect(desk.said("agent").last).to_have_text("第一行\n第二行")
    expect(widget.bot.filter(has_text="第二行")).to_be_visible()
    expect(widget.bot).to_have_count(bot_answers + 1)  # the reply, no answer of the bot

    desk.close("resolved")
    expect(desk.page.locator("#composer")).to_be_hidden()
    widget.say("你们的退货政策是什么", "7天内支持无理由退货")  # the bot is back


def test_html_in_a_reply_or_a_message_is_text_on_both_sides(fresh: Stack, contexts: Any) -> None:
    account = create_agent(fresh)
    widget, desk, session_id = handed_over(fresh, contexts, account)
    desk.accept(session_id)
    widget.send(ATTACK)
    expect(desk.said("user").last).to_have_text(ATTACK)
    desk.reply(ATTACK)
    expect(desk.said("agent").last).to_have_text(ATTACK)
    expect(widget.bot.filter(has_text=ATTACK)).to_have_text([ATTACK])
    assert desk.transcript.locator("img").count() == 0
    assert widget.page.locator(f"{widget_tests.WIDGET} .messages img").count() == 0
    assert desk.dialogs == []
    desk.close("spam")


def test_a_wrong_password_shows_an_error_and_a_right_one_logs_in(
    stack: Stack, contexts: Any
) -> None:
    account = create_agent(stack)
    desk = DeskPage(stack, contexts[1])
    assert desk.page.url.endswith("/desk/")
    desk.login(account, "not the password")
    expect(desk.page.locator("#login-error")).to_have_text("用户名或密码错误")
    expect(desk.page.locator("#desk-view")).to_be_hidden()
    desk.login(account)
    expect(desk.page.locator("#agent-name")).to_have_text(account.name)
    expect(desk.page.locator("#online-label")).to_have_text("离线")
    desk.page.reload()  # the session cookie survives; the CSRF token comes from /me
    expect(desk.page.locator("#agent-name")).to_have_text(account.name)
    desk.page.click("#logout")
    expect(desk.page.locator("#login-form")).to_be_visible()
