"""Requests in the words customers use for them are acted on, through the real stack.

Messages both models are unsure of, whose key words leave no doubt
(zhike/nlu/frames.yml): the customer gets the request, not "您是想咨询…". Each message
is checked first to fit its frame, so the test says which words carry it.
"""

from __future__ import annotations

import pytest

from zhike.nlu.frames import Frames

from .conftest import AppConversation

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
