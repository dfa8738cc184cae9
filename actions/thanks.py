"""Thanks answered: praise for the goods or the service gets a word of its own.

"宝贝收到了 质量很好 谢谢" is thanks to the NLU (:mod:`zhike.nlu.satisfied` marks it,
:data:`~zhike.common.topic_names.SATISFIED_KEY`), and 「不客气，很高兴能帮到您」 answered
nothing the customer said: they are glad of what they bought. Plain thanks keep
``utter_youarewelcome``.

Thanks instead of the answer a form asked for, once an answer failed ("1201" not
understood, then "好的 谢谢啊" to 「请问是哪一笔订单呢？」), end the form: it was read as a
malformed order number, and the order list came back. Thanks for an answer given in
passing, or at a question not failed yet, let the form ask its question again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import form_left
from actions.context import thanks_for_an_answer
from actions.forms import FAILURES_SLOT
from zhike.common.topic_names import SATISFIED_KEY


class ActionYoureWelcome(Action):
    """Answers thanks: 「不客气」, or gladness for a pleased customer's praise."""

    def name(self) -> str:
        """See the base class."""
        return "action_youre_welcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utters ``utter_glad_you_like_it`` for praise, else ``utter_youarewelcome``."""
        pleased = bool((tracker.latest_message or {}).get(SATISFIED_KEY))
        dispatcher.utter_message(
            response="utter_glad_you_like_it" if pleased else "utter_youarewelcome"
        )
        if thanks_for_an_answer(tracker) or not tracker.get_slot(FAILURES_SLOT):
            return []  # for an answer given in passing, or politeness: the form asks again
        return form_left(tracker)  # "好的 谢谢啊" after a failed answer: done with it
