"""Typed answers to a form's buttons: "2", "第二个", "②" or a button's title.

A customer who types instead of clicking means the same button. Which buttons: those the
form showed in the bot's latest turn (``data.buttons`` of its ``bot`` events in the
tracker), else those of the slot's question in the domain (``utter_ask_<form>_<slot>``,
``utter_ask_<slot>``; a title can be typed, but only a shown button has a number).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

from actions.parsing import normalize_text
from zhike.common.choices import named_button, parse_ordinal, plain_title
from zhike.common.confirmations import parse_confirmation
from zhike.common.topic_names import TWO_STAGE_FALLBACK

ORDER_SLOT = "order_id"

AFFIRM, DENY = "affirm", "deny"


def shown_buttons(tracker: Tracker, form: str) -> list[dict[str, Any]]:
    """The buttons ``form`` showed in the bot's turn just before the latest user message.

    Only a message sent by the form itself (its question, re-asked after an
    interruption) counts; the last one with buttons wins. Turns the fallback's
    「您是想咨询…」 took over the form are passed over: "2点以后都行" was not understood,
    then "1" picks the first slot the form listed before, not a topic of the fallback.
    """
    events = list(tracker.events or [])
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    ends = users[::-1]
    for end, start in zip(ends, ends[1:] + [-1], strict=True):
        turn = events[start + 1 : end]
        actions = {str(event.get("name")) for event in turn if event.get("event") == "action"}
        if form in actions or not actions <= _PASSED_OVER:
            return _buttons_by(form, turn)
    return []


# The actions of a turn the fallback took over a form ("您是想咨询…", its rewind).
_PASSED_OVER = frozenset({TWO_STAGE_FALLBACK, "action_listen"})


def _buttons_by(form: str, turn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons of the last message ``form`` sent with buttons in ``turn``."""
    buttons: list[dict[str, Any]] = []
    by_form = False
    for event in turn:
        if event.get("event") == "action":
            by_form = event.get("name") == form
        elif event.get("event") == "bot" and by_form:
            buttons = list((event.get("data") or {}).get("buttons") or []) or buttons
    return buttons


def domain_buttons(domain: DomainDict, form: str, slot: str) -> list[dict[str, Any]]:
    """The buttons of ``slot``'s question in the domain (every variant)."""
    responses = domain.get("responses") or {}
    for name in (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}"):
        buttons = [
            button
            for variant in responses.get(name) or []
            for button in variant.get("buttons") or []
        ]
        if buttons:
            return buttons
    return []


def button_value(button: dict[str, Any], slot: str) -> Any:
    """What clicking ``button`` gives ``slot``; ``None`` when it is not an answer to it.

    ``/inform{"slot": "value"}`` -> ``"value"``; for ``confirmed``, ``/affirm`` -> ``True``
    and ``/deny`` -> ``False``; a payload in plain text ("调课", "HP20240003") is sent as
    if typed, so it is the value.
    """
    payload = normalize_text(button.get("payload"))
    if not payload:
        return None
    if not payload.startswith("/"):
        return payload
    intent, brace, entities = payload[1:].partition("{")
    if slot == "confirmed" and intent.strip() in (AFFIRM, DENY) and not brace:
        return intent.strip() == AFFIRM
    if not brace:
        return None
    try:  # the domain escapes braces of response templates: '/inform{{"a": "b"}}'
        parsed = json.loads((brace + entities).replace("{{", "{").replace("}}", "}"))
    except ValueError:
        return None
    value = parsed.get(slot) if isinstance(parsed, dict) else None
    return normalize_text(value) if isinstance(value, str) else None


def chosen_option(
    text: str,
    slot: str,
    shown: list[dict[str, Any]],
    described: list[dict[str, Any]],
    yes_words: Iterable[str] = (),
) -> Any:
    """The value of the button ``text`` means for ``slot``, or ``None``.

    A plain yes ("嗯 确定取消吧") when a single order was offered is that order; a short
    reply in the words of one title only ("数学那个") is that button.

    Args:
        text: what the customer typed (a button's payload is never typed).
        slot: the slot the form asked for.
        shown: the buttons the bot showed with the question (:func:`shown_buttons`).
        described: the question's buttons in the domain, used when none were shown.
        yes_words: the words naming the change being made, which say yes ("取消").
    """
    if slot == ORDER_SLOT and len(shown) == 1 and parse_confirmation(text, yes_words) is True:
        return button_value(shown[0], slot)
    buttons = shown or described
    wanted = _plain(text)
    if not wanted:
        return None
    for button in buttons:
        value = button_value(button, slot)
        if value is not None and wanted in (_plain(button.get("title")), _plain(value)):
            return value
    index = parse_ordinal(text, len(shown))
    if index is not None:
        return button_value(shown[index], slot)
    named = named_button(text, shown)  # "数学那个": the one title with those words
    return None if named is None else button_value(named, slot)


def _plain(value: Any) -> str:
    """``value`` without case, spaces, punctuation and emoji, to compare typed titles."""
    return "" if isinstance(value, bool) else plain_title(normalize_text(value))
