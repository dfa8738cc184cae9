"""The day question of the delivery-window and pickup forms, which reads what was said.

"能改到周末送吗": a weekend is two days, so the question asks which, with a button for
each (「周六（12月12日）」); otherwise it is the form's usual question. A custom
``action_ask_<form>_window_date`` (Rasa calls it instead of the fixed response).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.delivery_parsing import WEEKDAYS, day_label, named_day
from zhike.common.times import china_now


def weekend_named(said: list[str]) -> tuple[date, date] | None:
    """The weekend whose day is still to be chosen: named last, and no day after it."""
    now = china_now()
    for text in reversed(said):
        day = named_day(text, now)
        if isinstance(day, tuple):
            return day
        if day is not None:
            return None  # "周六吧" after "周末": that day, not the weekend
    return None


def day_button(day: date) -> dict[str, str]:
    """「周六（12月12日）」, sending the date itself (a weekday alone may name another week)."""
    weekday = f"周{WEEKDAYS[day.weekday()]}"
    return {"title": f"{weekday}（{day.month}月{day.day}日）", "payload": day_label(day)}


class ActionAskDeliveryDay(Action):
    """Asks the delivery day: which day of the weekend the customer named, or any day."""

    form: ClassVar[str] = "delivery_time_form"
    question: ClassVar[str] = "utter_ask_window_date"

    def name(self) -> str:
        """See the base class."""
        return f"action_ask_{self.form}_window_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """「周末是周六（12月12日）还是周日（12月13日）呢？」 with two buttons, or the question."""
        weekend = weekend_named(said_in_form(tracker, self.form))
        if weekend is None:
            dispatcher.utter_message(response=self.question)
            return []
        saturday, sunday = (day_button(day) for day in weekend)
        dispatcher.utter_message(
            response="utter_ask_weekend_day",
            saturday=saturday["title"],
            sunday=sunday["title"],
            buttons=[saturday, sunday],
        )
        return []


class ActionAskPickupDay(ActionAskDeliveryDay):
    """Asks the new pickup day, the same way."""

    form = "pickup_form"
    question = "utter_ask_pickup_form_window_date"
