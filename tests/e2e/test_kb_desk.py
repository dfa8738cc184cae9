"""The knowledge-base page of the desk in headless Chromium: write, submit, review, publish.

An editor and a reviewer, created with ``python -m zhike.servers.desk create-agent
--role ...`` on the stack's database, each work in their own browser context on the real
desk: the editor creates an entry and submits it for review, the reviewer finds it, first
tries to reject it without a comment (refused), then publishes it, and both see 已发布.
Debian's chromium only; the tests skip without it (see ``test_web_widget``).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest

from zhike.tools.stack import PROJECT_ROOT, Stack

from . import test_web_widget as widget_tests

pytestmark = pytest.mark.e2e

expect = widget_tests.expect
browser = widget_tests.browser  # the module's chromium (skips when it is missing)

PASSWORD = "e2e kb passphrase 知识库"


def create_account(stack: Stack, role: str) -> str:
    """A new desk account with ``role`` (and its handoff agent), made by the CLI."""
    suffix = uuid.uuid4().hex[:8]
    username = f"e2e-{role}-{suffix}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zhike.servers.desk",
            "create-agent",
            "--db-url",
            stack.config.handoff_db_url,
            "--username",
            username,
            "--agent-id",
            f"kb-{suffix}",
            "--name",
            f"{role}{suffix[:4]}",
            "--groups",
            "general",
            "--role",
            role,
        ],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    return username


@pytest.fixture
def contexts(browser: Any) -> Any:
    """Two browser contexts, ``(editor, reviewer)``; the editor's on a phone-sized screen."""
    opened = [
        browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}),
        browser.new_context(locale="zh-CN"),
    ]
    for context in opened:
        context.set_default_timeout(widget_tests.TIMEOUT_MS)
    yield opened
    for context in opened:
        context.close()


def open_kb(stack: Stack, context: Any, username: str) -> Any:
    """The desk's knowledge-base page, logged in as ``username``."""
    page = context.new_page()
    page.goto(f"{stack.config.desk_url}/desk/#kb")
    expect(page.locator("#login-form")).to_be_visible()
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#kb-view")).to_be_visible()
    expect(page.locator("#tab-kb")).to_have_class("tab current")
    return page


def test_an_editor_submits_an_entry_and_a_reviewer_publishes_it(
    stack: Stack, contexts: Any
) -> None:
    editor_name, reviewer_name = create_account(stack, "editor"), create_account(stack, "reviewer")
    marker = uuid.uuid4().hex[:6]
    question = f"发票可以开专票吗{marker}"
    editor_ctx, reviewer_ctx = contexts

    editor = open_kb(stack, editor_ctx, editor_name)
    expect(editor.locator("#agent-role")).to_have_text("坐席 · 知识编辑")
    editor.click("#kb-new")
    editor.fill("#kb-question", question)
    editor.fill("#kb-similar", f"能开增值税专用发票吗{marker}\n专票怎么开{marker}")
    editor.fill("#kb-answer", "您好，可以开具增值税专用发票，请在订单详情页填写开票信息。")
    editor.fill("#kb-cat", "发票")
    editor.press("#kb-answer", "Control+Enter")  # saves the draft
    expect(editor.locator("#kb-title")).to_contain_text("知识 #")  # saved: it has a number
    expect(editor.locator("#kb-badge")).to_have_text("草稿")
    expect(editor.locator("#kb-approve")).to_be_hidden()  # an editor cannot publish
    expect(editor.locator("#kb-publish")).to_be_hidden()
    editor.click("#kb-submit")
    expect(editor.locator("#kb-badge")).to_have_text("待审核")
    expect(editor.locator("#kb-history li")).to_have_count(2)  # 新建, 提交审核

    reviewer = open_kb(stack, reviewer_ctx, reviewer_name)
    reviewer.select_option("#kb-status", "in_review")
    reviewer.fill("#kb-search", marker)
    item = reviewer.locator(".kb-item", has_text=question)
    expect(item.locator(".badge")).to_have_text("待审核")
    item.click()
    expect(reviewer.locator("#kb-question")).to_have_value(question)
    expect(reviewer.locator("#kb-save")).to_be_hidden()  # a reviewer does not rewrite
    reviewer.click("#kb-reject")
    expect(reviewer.locator("#kb-form-error")).to_contain_text("请填写审核意见")
    expect(reviewer.locator("#kb-badge")).to_have_text("待审核")
    reviewer.click("#kb-approve")
    expect(reviewer.locator("#kb-badge")).to_have_text("已发布")
    expect(reviewer.locator("#notice")).to_contain_text("已审核通过并发布")

    editor.reload()
    expect(editor.locator("#kb-badge")).to_have_text("已发布")  # the entry in the URL
    editor.keyboard.press("Escape")  # back to the list (the phone shows one at a time)
    editor.fill("#kb-search", marker)
    item = editor.locator(".kb-item", has_text=question)
    expect(item).to_be_visible()
    expect(item.locator(".badge")).to_have_text("已发布")
