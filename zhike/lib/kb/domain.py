"""What the knowledge base is made of: frozen dataclasses, statuses and roles.

An :class:`Entry` is one knowledge point as staff see it (its working copy, with status
and version); a :class:`PublishedEntry` is what the robot and the search index see (the
live content, which stays in place while a change to it waits for review); a
:class:`Snapshot` is every live entry plus the ``revision`` that changes with each
publish, so a process can tell cheaply whether its index is stale.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# The life of an entry: draft -> in_review -> published -> archived (see docs/kb.md).
DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"
ARCHIVED = "archived"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED)

# Who may do what (see zhike.lib.kb.permissions).
EDITOR = "editor"
REVIEWER = "reviewer"
SUPERVISOR = "supervisor"
AGENT = "agent"
SERVICE = "service"
ROLES = (EDITOR, REVIEWER, SUPERVISOR, AGENT, SERVICE)


class FrozenMap(Mapping[str, str]):
    """A read-only, hashable ``str -> str`` mapping (channel-specific answers)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, str] = dict(items or {})

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


EMPTY_MAP = FrozenMap()


@dataclass(frozen=True)
class Actor:
    """Who does something: a desk account's name and role, or a service (``service``)."""

    name: str
    role: str


@dataclass(frozen=True)
class Button:
    """A button under an answer: its label and the payload sent when it is pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class EntryDraft:
    """What an editor sends for an entry (checked by :func:`~.validation.check_draft`)."""

    question: str
    answer: str
    similar: tuple[str, ...] = ()
    category: str = ""
    buttons: tuple[Button, ...] = ()
    link: str | None = None
    channel_answers: Mapping[str, str] = field(default=EMPTY_MAP)
    valid_from: date | None = None
    valid_to: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """The draft as JSON-ready data (dates as ISO strings)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "similar": list(self.similar),
            "category": self.category,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "link": self.link,
            "channel_answers": dict(self.channel_answers),
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
        }


@dataclass(frozen=True)
class Entry:
    """One knowledge point as staff see it: its working copy, status and version.

    ``status`` is the working copy's: a published entry being changed is ``draft`` or
    ``in_review`` while ``live_version`` (the version the robot answers with) stays set;
    ``live_version`` is ``None`` when the robot does not use the entry. ``version``
    counts every change (content or status); ``review_comment`` is the last reviewer's.
    """

    id: int
    question: str
    answer: str
    similar: tuple[str, ...]
    category: str
    status: str
    buttons: tuple[Button, ...]
    link: str | None
    channel_answers: Mapping[str, str]
    valid_from: date | None
    valid_to: date | None
    version: int
    updated_by: str
    updated_at: datetime
    review_comment: str | None
    created_by: str = ""
    live_version: int | None = None

    def draft(self) -> EntryDraft:
        """The working copy's content as a draft (to change a field and send it back)."""
        return EntryDraft(
            question=self.question,
            answer=self.answer,
            similar=self.similar,
            category=self.category,
            buttons=self.buttons,
            link=self.link,
            channel_answers=self.channel_answers,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (dates and times as ISO strings)."""
        return {
            "id": self.id,
            **self.draft().to_dict(),
            "status": self.status,
            "version": self.version,
            "live_version": self.live_version,
            "created_by": self.created_by,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
            "review_comment": self.review_comment,
        }


@dataclass(frozen=True)
class PublishedEntry:
    """A live entry, as the robot and the search index see it."""

    id: int
    question: str
    similar: tuple[str, ...]
    answer: str
    category: str
    buttons: tuple[Button, ...] = ()
    link: str | None = None
    channel_answers: Mapping[str, str] = field(default=EMPTY_MAP)
    valid_from: date | None = None
    valid_to: date | None = None

    def answer_for(self, channel: str | None) -> str:
        """The channel's own answer when it has one, else the common answer."""
        if channel and channel in self.channel_answers:
            return self.channel_answers[channel]
        return self.answer

    def is_valid(self, on: date) -> bool:
        """Whether the entry may be answered with on that day (validity dates inclusive)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    @property
    def texts(self) -> tuple[str, ...]:
        """The standard question first, then the similar questions (what is indexed)."""
        return (self.question, *self.similar)


@dataclass(frozen=True)
class Snapshot:
    """Every live entry valid on the day it was taken, and the revision it reflects."""

    revision: int
    entries: tuple[PublishedEntry, ...]


@dataclass(frozen=True)
class HistoryRecord:
    """One change of an entry: who did what when, and the entry right after it."""

    entry_id: int
    version: int
    action: str
    actor: str
    role: str
    at: datetime
    comment: str | None
    snapshot: Mapping[str, Any]


@dataclass(frozen=True)
class Page:
    """One page of a listing: its entries and the total number matching."""

    items: tuple[Entry, ...]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class ImportItem:
    """One entry read from a file: its line, content and the optional status column."""

    line: int
    draft: EntryDraft
    status: str | None = None


@dataclass(frozen=True)
class ImportReport:
    """What an import did, counted in entries (``skipped``: the KB was not empty)."""

    created: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0
    published: int = 0
    revision: int = 0
    skipped: bool = False


@dataclass(frozen=True)
class KbStats:
    """Counts of entries by status and by category (archived excluded) and the revision."""

    revision: int
    total: int
    live: int
    by_status: Mapping[str, int]
    by_category: Mapping[str, int]


def question_key(text: str) -> str:
    """The form two questions are compared in to find duplicates.

    Full-width forms become half-width (NFKC), case is folded, and spaces, punctuation
    and symbols are dropped: ``"怎么退款？"`` and ``"怎么 退款"`` are the same question.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LMN")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
