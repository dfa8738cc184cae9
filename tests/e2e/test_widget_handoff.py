"""What the customer sees in the web widget: 猜你想问, the keyboard, contrast, and a handoff.

In headless Chromium (Debian's) against the real stack, as ``test_web_widget`` does. The
widget opens a fresh conversation with the 猜你想问 menu of ``suggestions.yml``; Escape
closes it and gives focus back to the launcher; controls reached by keyboard show a
focus ring; text has WCAG AA contrast. Then the customer asks for a person: an agent
accepts in the desk (the customer is told who), replies (labelled 客服·name, with a time),
transfers (the customer is told), a supervisor reassigns it to a second agent in the
desk's supervisor view (查看 opens it read-only, 转派 picks the agent) and the second agent
closes it: the customer is thanked, then asked for a rating. A customer who stops waiting
asks how long it takes (and hears their place in line), then clicks 取消排队 under the
queue message: the conversation leaves the agent's queue and the robot answers again.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from zhike.channels.web.suggestions import load_suggestions
from zhike.lib.handoff.notices import NOTICE_TEXTS, notice_text
from zhike.tools.stack import PROJECT_ROOT, Stack

from . import test_web_widget as widget_tests
from .conftest import desk as on_desk
from .test_desk import PASSWORD, Account, DeskPage, create_agent

pytestmark = pytest.mark.e2e

expect = widget_tests.expect
browser = widget_tests.browser  # the module's chromium (skips when it is missing)
context = widget_tests.context
shop = widget_tests.shop
Widget = widget_tests.Widget
WIDGET = widget_tests.WIDGET
TIME = re.compile(r"^\d\d:\d\d$")

# The contrast of every visible text in the widget's shadow root with the background it
# is drawn on (the nearest ancestor with an opaque one), as WCAG 2 defines it.
CONTRASTS = """() => {
  const root = document.querySelector('#zhike-chat').shadowRoot;
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (node) => {
    while (node) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
      node = node.parentElement || (node.getRootNode() || {}).host || null;
    }
    return [255, 255, 255];
  };
  const found = [];
  root.querySelectorAll('*').forEach((node) => {
    const own = Array.from(node.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length) return;
    const style = getComputedStyle(node);
    if (style.visibility === 'hidden' || Number(style.opacity) < 1) return;
    const fg = lum(rgb(style.color)), bg = lum(background(node));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    found.push([node.className || node.tagName, node.textContent.trim().slice(0, 12), ratio]);
  });
  return found;
}"""

FOCUSED_OUTLINE = """() => {
  const node = document.querySelector('#zhike-chat').shadowRoot.activeElement;
  const style = getComputedStyle(node);
  return [node.className, style.outlineStyle, parseFloat(style.outlineWidth)];
}"""


def low_contrast(page: Any) -> list[Any]:
    """The texts of the widget below 4.5:1 (disabled buttons are exempt in WCAG)."""
    return [found for found in page.evaluate(CONTRASTS) if found[2] < 4.5]


def test_the_menu_the_keyboard_and_the_colours_of_a_fresh_conversation(
    fresh: Stack, context: Any, shop: Callable[[str], str]
) -> None:
    questions = load_suggestions()["questions"]
    assert 3 <= len(questions) <= 6
    page = context.new_page()
    page.goto(shop(widget_tests._shop_page(fresh)))
    widget = Widget(page)
    widget.launcher.click()
    widget.online()
    menu = page.locator(f"{WIDGET} .suggestions")
    expect(menu.locator(".suggestions-title")).to_have_text("猜你想问")
    expect(menu.locator("button.suggestion")).to_have_text(questions)
    expect(page.locator(f"{WIDGET} .from-bot .sender").first).to_have_text("智能助手")
    expect(page.locator(f"{WIDGET} .from-bot .time").first).to_have_text(TIME)
    assert low_contrast(page) == []

    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")  # closes, and the keyboard is back on the launcher
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    assert page.evaluate(FOCUSED_OUTLINE)[1:] == ["solid", 3]  # a visible focus ring
    assert low_contrast(page) == []  # the launcher
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back from the input to the last question
    assert page.evaluate(FOCUSED_OUTLINE) == ["suggestion", "solid", 3]

    menu.locator("button.suggestion", has_text="退款一般多久到账").click()
    expect(widget.user.last).to_have_text("退款一般多久到账？")
    expect(widget.bot.nth(1)).to_be_visible()  # answered (the welcome is the first)
    expect(page.locator(f"{WIDGET} .from-user .time").last).to_have_text(TIME)
    assert low_contrast(page) == []
    page.reload()  # no longer a fresh conversation: no menu
    widget.online()
    expect(widget.user.last).to_have_text("退款一般多久到账？")
    expect(menu).to_have_count(0)


def create_supervisor(stack: Stack) -> Account:
    """A supervisor with a desk account, made by the CLI (password on stdin)."""
    suffix = uuid.uuid4().hex[:8]
    account = Account(f"e2e-boss-{suffix}", f"boss-{suffix}", f"主管{suffix[:4]}")
    subprocess.run(
        [sys.executable, "-m", "zhike.servers.desk", "create-agent",
         "--db-url", stack.config.handoff_db_url, "--username", account.username,
         "--agent-id", account.agent_id, "--name", account.name, "--role", "supervisor"],
        input=PASSWORD + "\n", text=True, capture_output=True, check=True,
        cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip
    return account


def test_the_customer_is_told_who_serves_them_through_transfer_reassign_and_close(
    fresh: Stack, browser: Any
) -> None:
    first, second = create_agent(fresh), create_agent(fresh)
    boss = create_supervisor(fresh)
    contexts = [browser.new_context(locale="zh-CN") for _ in range(4)]
    for context in contexts:
        context.set_default_timeout(widget_tests.TIMEOUT_MS)
    try:
        customer, one, two, three = contexts
        desk_one, desk_two = DeskPage(fresh, one), DeskPage(fresh, two)
        desk_one.go_online(first)
        desk_two.go_online(second)
        widget = widget_tests._open_chat_page(fresh, customer)
        widget.say("转人工", "转接人工客服")
        sender = widget.session_id()
        notices = widget.page.locator(f"{WIDGET} .notice .notice-text")

        desk_one.accept(sender)
        expect(notices.last).to_have_text(notice_text("accepted", agent_name=first.name))
        desk_one.reply("您好，我来帮您查询。")
        reply = widget.page.locator(f"{WIDGET} .from-bot", has_text="您好，我来帮您查询。")
        expect(reply.locator(".sender")).to_have_text(f"客服·{first.name}")
        expect(reply.locator(".time")).to_have_text(TIME)
        expect(widget.page.locator(f"{WIDGET} .from-bot .sender").first).to_have_text("智能助手")

        desk_one.page.select_option("#transfer-group", "general")
        desk_one.page.click("#transfer")
        expect(notices.last).to_have_text("正在为您转接综合服务客服，请稍候")

        [waiting] = [e for e in on_desk(fresh, lambda s: s.queue()) if e.sender_id == sender]
        supervisor = DeskPage(fresh, three)
        supervisor.login(boss)
        row = supervisor.page.locator("#sup-live li", has_text=f"#{waiting.conversation_id} ")
        row.locator("button.sup-view").click()  # 查看: read-only
        expect(supervisor.page.locator("#conv-readonly")).to_be_visible()
        expect(supervisor.page.locator("#composer")).to_be_hidden()
        expect(supervisor.said("agent")).to_have_text(["您好，我来帮您查询。"])
        row.locator("button.sup-reassign").click()  # 转派
        picker = supervisor.page.locator("#reassign-agent")
        expect(picker.locator("option", has_text=second.name)).to_have_count(1)
        picker.select_option(second.agent_id)
        supervisor.page.click("#reassign-confirm")
        expect(supervisor.page.locator("#notice")).to_contain_text(f"转派给 {second.name}")
        expect(notices.last).to_have_text(notice_text("accepted", agent_name=second.name))

        desk_two.row(sender, "#mine").locator("button.row-main").click()
        expect(desk_two.page.locator("#composer")).to_be_visible()
        desk_two.close("resolved")
        expect(notices.last).to_have_text(NOTICE_TEXTS["ended"])
        expect(widget.bot.filter(has_text="打个分")).to_be_visible()  # the rating, after it
        texts = widget.page.locator(f"{WIDGET} .messages > li").all_inner_texts()
        ended = next(i for i, text in enumerate(texts) if NOTICE_TEXTS["ended"] in text)
        assert any("打个分" in text for text in texts[ended + 1 :])
    finally:
        for context in contexts:
            context.close()


def test_a_waiting_customer_leaves_the_queue_with_one_click(fresh: Stack, browser: Any) -> None:
    agent = create_agent(fresh)
    contexts = [browser.new_context(locale="zh-CN") for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(widget_tests.TIMEOUT_MS)
    try:
        customer, desk_context = contexts
        desk = DeskPage(fresh, desk_context)
        desk.go_online(agent)
        widget = widget_tests._open_chat_page(fresh, customer)
        widget.say("转人工", "转接人工客服")
        sender = widget.session_id()
        expect(desk.row(sender)).to_be_visible()
        widget.say("还要等多久啊", "轮到您")  # alone in line: 马上就轮到您了

        widget.button("取消排队").click()
        expect(widget.bot.filter(has_text="已为您取消排队")).to_be_visible()
        expect(desk.row(sender)).to_have_count(0)  # gone from the agent's queue
        widget.say("退款一般多久到账", "到账")  # the robot answers again
    finally:
        for context in contexts:
            context.close()
