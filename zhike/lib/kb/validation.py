"""Checks an entry's content before it is stored: sizes, links, dates, duplicates inside it.

:func:`check_draft` returns the cleaned draft (spaces stripped, repeated similar questions
dropped) or raises :class:`~zhike.lib.kb.errors.InvalidEntry` naming the field;
:func:`draft_from_mapping` builds a draft from loosely typed data (YAML, JSON bodies).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from zhike.lib.kb.domain import (
    STATUSES,
    Button,
    EntryDraft,
    FrozenMap,
    ImportItem,
    question_key,
)
from zhike.lib.kb.errors import InvalidEntry, LineError

MAX_QUESTION = 200
MAX_ANSWER = 5000
MAX_CATEGORY = 64
MAX_SIMILAR = 200
MAX_BUTTONS = 10
MAX_BUTTON_TITLE = 40
MAX_BUTTON_PAYLOAD = 200
MAX_LINK = 500
MAX_CHANNELS = 20
SIMILAR_SEPARATOR = "||"
FIELDS = (
    "question",
    "answer",
    "similar",
    "category",
    "buttons",
    "link",
    "channel_answers",
    "valid_from",
    "valid_to",
)
# Accepted in files and ignored but ``status`` (exports carry them).
EXTRA_FIELDS = ("status", "id", "version")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Control characters but tab and line breaks: no XML (xlsx) and no PostgreSQL text takes NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINK = re.compile(r"^https?://[^\s]+$")


def _text(value: str, name: str, limit: int, required: bool = True) -> str:
    bad = _CONTROL.search(value)
    if bad:
        raise InvalidEntry(f"{name} contains the control character {bad.group()!r}", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEntry(
            f"{name} contains characters that cannot be stored", field=name
        ) from None
    value = value.strip()
    if required and not value:
        raise InvalidEntry(f"{name} is empty", field=name)
    if len(value) > limit:
        raise InvalidEntry(f"{name} is longer than {limit} characters", field=name)
    return value


def _question(value: str, name: str) -> str:
    value = _text(value, name, MAX_QUESTION)
    if not question_key(value):
        raise InvalidEntry(f"{name} {value!r} has no letters or digits", field=name)
    return value


def check_draft(draft: EntryDraft) -> EntryDraft:
    """The draft cleaned, or :class:`InvalidEntry` naming the first bad field."""
    question = _question(draft.question, "question")
    seen = {question_key(question)}
    similar: list[str] = []
    for text in draft.similar:
        text = _question(text, "similar")
        if question_key(text) not in seen:
            seen.add(question_key(text))
            similar.append(text)
    if len(similar) > MAX_SIMILAR:
        raise InvalidEntry(f"more than {MAX_SIMILAR} similar questions", field="similar")
    if len(draft.buttons) > MAX_BUTTONS:
        raise InvalidEntry(f"more than {MAX_BUTTONS} buttons", field="buttons")
    buttons = tuple(
        Button(
            _text(b.title, "buttons", MAX_BUTTON_TITLE),
            _text(b.payload, "buttons", MAX_BUTTON_PAYLOAD),
        )
        for b in draft.buttons
    )
    link = _text(draft.link, "link", MAX_LINK, required=False) if draft.link else None
    if link and not _LINK.match(link):
        raise InvalidEntry("link must be an http:// or https:// address", field="link")
    if len(draft.channel_answers) > MAX_CHANNELS:
        raise InvalidEntry(f"more than {MAX_CHANNELS} channel answers", field="channel_answers")
    channels = {}
    for channel, text in draft.channel_answers.items():
        if not isinstance(channel, str) or not _CHANNEL.match(channel):
            raise InvalidEntry(f"bad channel name {channel!r}", field="channel_answers")
        channels[channel] = _text(text, "channel_answers", MAX_ANSWER)
    if draft.valid_from and draft.valid_to and draft.valid_from > draft.valid_to:
        raise InvalidEntry("valid_from is after valid_to", field="valid_from")
    return EntryDraft(
        question=question,
        answer=_text(draft.answer, "answer", MAX_ANSWER),
        similar=tuple(similar),
        category=_text(draft.category, "category", MAX_CATEGORY, required=False),
        buttons=buttons,
        link=link,
        channel_answers=FrozenMap(channels),
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
    )


def _string(value: Any, name: str, required: bool = False) -> str:
    if value is None:
        if required:
            raise InvalidEntry(f"{name} is missing", field=name)
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidEntry(f"{name} must be text", field=name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def split_similar(value: Any) -> tuple[str, ...]:
    """Similar questions from a list or from text joined by ``||`` (blanks dropped)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items = [_string(item, "similar") for item in value]
    else:
        items = _string(value, "similar").split(SIMILAR_SEPARATOR)
    return tuple(item.strip() for item in items if item.strip())


def _date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidEntry(f"{name} must be a date like 2024-06-30", field=name)


def _buttons(value: Any) -> tuple[Button, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise InvalidEntry("buttons must be a list", field="buttons")
    buttons = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"title", "payload"}:
            raise InvalidEntry("each button needs a title and a payload", field="buttons")
        title = _string(item.get("title"), "buttons", required=True)
        buttons.append(Button(title, _string(item.get("payload"), "buttons", required=True)))
    return tuple(buttons)


def _channels(value: Any) -> FrozenMap:
    if value is None:
        return FrozenMap()
    if not isinstance(value, Mapping):
        raise InvalidEntry(
            "channel_answers must map channel names to answers", field="channel_answers"
        )
    return FrozenMap(
        {str(k): _string(v, "channel_answers", required=True) for k, v in value.items()}
    )


def draft_from_mapping(data: Any) -> tuple[EntryDraft, str | None]:
    """A checked draft and the optional ``status`` from loosely typed data.

    Raises:
        InvalidEntry: a field is missing, unknown or malformed (``field`` names it).
    """
    if not isinstance(data, Mapping):
        raise InvalidEntry("an entry must be a mapping of fields")
    unknown = [str(key) for key in data if key not in FIELDS + EXTRA_FIELDS]
    if unknown:
        raise InvalidEntry(
            f"unknown field {unknown[0]!r} (expected {', '.join(FIELDS)})", field=unknown[0]
        )
    status = data.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidEntry(f"status must be one of {', '.join(STATUSES)}", field="status")
    link = _string(data.get("link"), "link") or None
    draft = EntryDraft(
        question=_string(data.get("question"), "question", required=True),
        answer=_string(data.get("answer"), "answer", required=True),
        similar=split_similar(data.get("similar")),
        category=_string(data.get("category"), "category"),
        buttons=_buttons(data.get("buttons")),
        link=link,
        channel_answers=_channels(data.get("channel_answers")),
        valid_from=_date(data.get("valid_from"), "valid_from"),
        valid_to=_date(data.get("valid_to"), "valid_to"),
    )
    return check_draft(draft), status


def duplicate_errors(items: Sequence[ImportItem], limit: int = 100) -> list[LineError]:
    """Questions that appear on two rows of one file (as a question or a similar question)."""
    errors: list[LineError] = []
    owner: dict[str, int] = {}
    for item in items:
        for n, text in enumerate((item.draft.question, *item.draft.similar)):
            key = question_key(text)
            first = owner.setdefault(key, item.line)
            if first != item.line:
                what = "question" if n == 0 else "similar question"
                errors.append(LineError(item.line, f"{what} {text!r} is already on line {first}"))
                if len(errors) >= limit:
                    return errors
    return errors
