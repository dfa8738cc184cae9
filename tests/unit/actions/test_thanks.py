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
