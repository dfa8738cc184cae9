"""Thanks answered: praise for the goods gets gladness, plain thanks 「不客气」."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.thanks import ActionYoureWelcome

from .conftest import Turn


async def test_praise_is_answered_with_gladness_and_plain_thanks_with_you_are_welcome(
    zhang: Turn,
) -> None:
    pleased = zhang("宝贝收到了 质量很好 谢谢", "thank")
    pleased.latest_message["satisfied"] = True
    said = CollectingDispatcher()
    await ActionYoureWelcome().run(said, pleased, {})
    assert [m["response"] for m in said.messages] == ["utter_glad_you_like_it"]
    plain = CollectingDispatcher()
    await ActionYoureWelcome().run(plain, zhang("谢谢啦", "thank"), {})
    assert [m["response"] for m in plain.messages] == ["utter_youarewelcome"]


async def test_thanks_after_a_failed_answer_end_the_form(zhang: Turn) -> None:
    """ "1201" not understood, then "好的 谢谢啊" to 「请问是哪一笔订单呢？」: read as a
    malformed order number, the list came back; the customer is done."""
    tracker = zhang("好的 谢谢啊", "thank", requested_slot="order_id", form_failures=1.0)
    tracker.active_loop = {"name": "intercept_form"}
    events = await ActionYoureWelcome().run(CollectingDispatcher(), tracker, {})
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {e["name"] for e in events if e["event"] == "slot"} >= {"requested_slot", "order_id"}
    # at a question nothing failed at yet, thanks are politeness: the form asks again
    polite = zhang("谢谢啦", "thank", requested_slot="order_id")
    polite.active_loop = {"name": "intercept_form"}
    assert await ActionYoureWelcome().run(CollectingDispatcher(), polite, {}) == []


async def test_thanks_for_an_answer_given_in_passing_let_the_form_go_on(zhang: Turn) -> None:
    tracker = zhang("好的 谢谢", "thank", requested_slot="confirmed", order_id="HP20240003")
    tracker.active_loop = {"name": "cancel_order_form"}
    tracker.events[-1:-1] = [
        {"event": "user", "text": "等等 HP20240001到哪了"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_form_resume"}},
    ]
    assert await ActionYoureWelcome().run(CollectingDispatcher(), tracker, {}) == []
