"""Pieces shared by the WeChat channels: retry de-duplication, numbered buttons, rendering.

WeChat (and WeCom) wait 5 seconds for the answer to a callback, then send the same
callback again, up to three times. :class:`TtlCache` remembers every message id for a
few minutes so a retry is never handled twice. WeChat shows no buttons either: a bot
turn's buttons become numbered lines (``回复 1：…``, :func:`render`). A reply of just that
number goes to Rasa as typed, and the NLU reads it from the conversation itself
(:mod:`zhike.nlu.typed_choice`: the buttons of the bot's latest message), so any replica
understands it; a rating's lines are numbered by their score, so "5" is five points.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rasa.core.channels.channel import CollectingOutputChannel

V = TypeVar("V")

DEFAULT_DEDUP_TTL = 300.0  # WeChat's retries come within ~15 s; 5 minutes is ample
DEFAULT_MAX_ENTRIES = 10_000
# WeChat's limit for a text message is 2048 bytes; keep a margin for the XML around it.
MAX_TEXT_BYTES = 2000


def mask_user(user_id: str | None) -> str:
    """An openid / UserID safe for logs: its first 4 characters and ``***``."""
    return f"{(user_id or '')[:4]}***"


class TtlCache(Generic[V]):
    """A bounded mapping whose entries expire ``ttl`` seconds after they were stored.

    Args:
        ttl: lifetime of an entry in seconds.
        max_entries: the oldest entries are dropped beyond this size.
        clock: monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self,
        ttl: float,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires_at, _) = next(iter(self._items.items()))
            if expires_at > now and len(self._items) <= self._max:
                break
            del self._items[key]

    def get(self, key: str) -> V | None:
        """The live value stored under ``key``, else ``None``."""
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def put(self, key: str, value: V) -> None:
        """Stores ``value`` under ``key`` for ``ttl`` seconds from now."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl, value)
        self._expire()

    def setdefault(self, key: str, value: V) -> tuple[V, bool]:
        """The live value under ``key`` and ``False``, or stores ``value`` and ``True``.

        There is no ``await`` inside, so on one event loop the first caller wins.
        """
        existing = self.get(key)
        if existing is not None:
            return existing, False
        self.put(key, value)
        return value, True

    def pop(self, key: str) -> None:
        """Forgets ``key``."""
        self._items.pop(key, None)

    def __len__(self) -> int:
        self._expire()
        return len(self._items)


@dataclass
class Turn:
    """What happened to one inbound message (kept in the de-duplication cache).

    Attributes:
        done: handling has finished.
        reply: the passive reply given in the response, if any: a retry after it (whose
            first response WeChat apparently never received) gets the same reply again.
    """

    done: bool = False
    reply: str | None = None


@dataclass
class Rendered:
    """A bot turn made fit for WeChat.

    Attributes:
        text: all texts of the turn, buttons as numbered lines, in one text.
        raw: native WeChat messages from custom payloads (``{"msgtype": "news", …}``),
            which only the message API can send.
    """

    text: str = ""
    raw: list[dict[str, Any]] = field(default_factory=list)


# A rating button's payload (``/rate_service{"csat_score": "5"}``): its line is numbered 5.
SCORE = re.compile(r'"csat_score"\s*:\s*"?([1-5])"?')


def button_number(button: Mapping[str, Any], place: int) -> int:
    """The number a customer replies to choose ``button``: its score, else its place."""
    score = SCORE.search(str(button.get("payload") or ""))
    return int(score.group(1)) if score else place


def render(messages: Iterable[Mapping[str, Any]], suffix: str = "") -> Rendered:
    """Joins the messages of a turn (Rasa's collected message dicts) into one text.

    The buttons of the turn's last message with buttons are numbered (a reply of the number
    chooses one, as the NLU reads it); any earlier ones of the turn are listed with a dot.
    """
    messages = list(messages)
    numbered = max((i for i, m in enumerate(messages) if m.get("buttons")), default=-1)
    result = Rendered()
    parts: list[str] = []
    for index, message in enumerate(messages):
        lines: list[str] = []
        if message.get("text"):
            lines.append(str(message["text"]))
        for place, button in enumerate(message.get("buttons") or [], start=1):
            title = str(button.get("title") or button.get("payload") or "")
            if index == numbered:
                lines.append(f"回复 {button_number(button, place)}：{title}")
            else:
                lines.append(f"· {title}")
        if message.get("image"):
            lines.append(f"图片：{message['image']}")
        if message.get("attachment"):
            lines.append(f"附件：{message['attachment']}")
        custom = message.get("custom")
        if isinstance(custom, Mapping):
            if isinstance(custom.get("msgtype"), str):
                result.raw.append(dict(custom))
            elif isinstance(custom.get("text"), str):
                lines.append(custom["text"])
        if lines:
            parts.append("\n".join(lines))
    if suffix:
        parts.append(suffix)
    result.text = "\n\n".join(parts)
    return result


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """``text`` in pieces of at most ``max_bytes`` UTF-8 bytes, cut at line ends if possible."""
    pieces: list[str] = []
    rest = text
    while len(rest.encode("utf-8")) > max_bytes:
        cut = len(rest.encode("utf-8")[:max_bytes].decode("utf-8", "ignore"))
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


class TurnCollector(CollectingOutputChannel):
    """Collects the bot's messages of one turn; subclasses set the channel's name."""

    channel_name = ""

    @classmethod
    def name(cls) -> str:
        """The channel name stored with the bot's events (``wechat`` / ``wecom``)."""
        return cls.channel_name
