"""A slow or failing backend: an apology in Chinese within 3 s, a ticket when possible."""

from __future__ import annotations

import time

import pytest

from zhike.tools.stack import Stack

from .conftest import AppConversation, clear_faults, inject_fault

pytestmark = pytest.mark.e2e


def test_a_slow_backend_gets_an_apology_within_3_seconds(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    zhang_app.say("你好")  # a running server: the first message after start-up warms the model
    inject_fault(fresh, delay_ms=2500)
    started = time.monotonic()
    answer = zhang_app.say("帮我查一下订单HP20240001")
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"answered after {elapsed:.1f} s"
    assert "抱歉" in answer and "转人工" in answer
    assert "SF1234567890" not in answer


def test_a_failing_order_system_opens_a_ticket(fresh: Stack, zhang_app: AppConversation) -> None:
    inject_fault(fresh, status=503, path_prefix="/api/v1/orders")
    answer = zhang_app.say("帮我查一下订单HP20240001")
    # an action that cannot complete hands over; nobody is online, so the ticket stands
    assert "已为您登记工单 TK" in answer and "人工客服现在不在线" in answer
    ticket = answer.split("登记工单 ")[1][:10]
    clear_faults(fresh)
    assert ticket in zhang_app.say(f"查一下工单{ticket}")


def test_a_write_that_fails_midway_is_ticketed_and_changes_nothing(
    fresh: Stack, zhang_app: AppConversation
) -> None:
    zhang_app.say("我要取消订单HP20240003")
    inject_fault(fresh, error=True, path_prefix="/api/v1/orders/HP20240003/cancel")
    answer = zhang_app.say("/affirm")
    assert "抱歉" in answer and "工单" in answer
    clear_faults(fresh)
    assert "等待发货" in zhang_app.say("查下订单HP20240003的状态")
