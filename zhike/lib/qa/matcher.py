"""An Aho-Corasick matcher for sensitive words: built once per word list, linear in the text.

Matching ignores case and the width of characters (``ＳＢ`` is ``sb``); each character is
folded on its own, so the positions of a hit are positions in the original text. A word
made only of ASCII letters and digits matches only as a whole word (``sb`` is found in
``你个sb`` but not in ``USB``), other words anywhere (Chinese has no spaces).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """One occurrence of a word: ``text[start:end]`` is it (as written in the text)."""

    start: int
    end: int
    word: str
    category: str


def fold_char(char: str) -> str:
    """The character as matched: NFKC (full width to half width) and lower case, if 1:1."""
    folded = unicodedata.normalize("NFKC", char).lower()
    return folded if len(folded) == 1 else char.lower()[:1] or char


def fold(text: str) -> str:
    """``text`` folded character by character (same length as ``text``)."""
    return "".join(fold_char(char) for char in text)


def _ascii_word(word: str) -> bool:
    return word.isascii() and word.isalnum()


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalnum()


class Matcher:
    """Finds every listed word in a text in one pass (Aho-Corasick automaton).

    Args:
        words: ``(word, category)`` pairs; blank words are skipped, a word listed twice
            keeps its first category.
    """

    def __init__(self, words: Iterable[tuple[str, str]]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._out: list[int] = [-1]  # the word ending exactly at a state, or -1
        self._link: list[int] = [0]  # the nearest fail ancestor with an output (0: none)
        self._words: list[tuple[str, str, int, bool]] = []  # word, category, length, whole
        seen: set[str] = set()
        for word, category in words:
            key = fold(word.strip())
            if not key or key in seen:
                continue
            seen.add(key)
            self._add(key, word.strip(), category)
        self._build()

    def __len__(self) -> int:
        return len(self._words)

    def _add(self, key: str, word: str, category: str) -> None:
        state = 0
        for char in key:
            nxt = self._goto[state].get(char)
            if nxt is None:
                nxt = len(self._goto)
                self._goto.append({})
                self._fail.append(0)
                self._out.append(-1)
                self._link.append(0)
                self._goto[state][char] = nxt
            state = nxt
        self._out[state] = len(self._words)
        self._words.append((word, category, len(key), _ascii_word(key)))

    def _build(self) -> None:
        frontier = list(self._goto[0].values())  # depth 1 fails to the root
        while frontier:
            following = []
            for state in frontier:
                for char, child in self._goto[state].items():
                    fallback = self._fail[state]
                    while fallback and char not in self._goto[fallback]:
                        fallback = self._fail[fallback]
                    target = self._goto[fallback].get(char, 0)
                    self._fail[child] = target if target != child else 0
                    fail = self._fail[child]
                    self._link[child] = fail if self._out[fail] >= 0 else self._link[fail]
                    following.append(child)
            frontier = following

    def find_all(self, text: str) -> list[Hit]:
        """Every occurrence of every word, overlapping ones too, by end then length."""
        if not self._words or not text:
            return []
        folded = fold(text)
        hits: list[Hit] = []
        state = 0
        for index, char in enumerate(folded):
            while state and char not in self._goto[state]:
                state = self._fail[state]
            state = self._goto[state].get(char, 0)
            found = state if self._out[state] >= 0 else self._link[state]
            while found:
                word, category, length, whole = self._words[self._out[found]]
                start, end = index + 1 - length, index + 1
                if not whole or not (
                    _is_word_char(folded, start - 1) or _is_word_char(folded, end)
                ):
                    hits.append(Hit(start, end, word, category))
                found = self._link[found]
        return hits

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits: the leftmost, then the longest, in text order."""
        chosen: list[Hit] = []
        for hit in sorted(self.find_all(text), key=lambda h: (h.start, -(h.end - h.start))):
            if not chosen or hit.start >= chosen[-1].end:
                chosen.append(hit)
        return chosen

    def mask(self, text: str, categories: Iterable[str] | None = None, char: str = "*") -> str:
        """``text`` with every hit (of ``categories``, default all) replaced by ``char``s."""
        wanted = None if categories is None else set(categories)
        hits = [h for h in self.find_all(text) if wanted is None or h.category in wanted]
        if not hits:
            return text
        covered = bytearray(len(text))
        for hit in hits:
            covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        return "".join(char if covered[i] else c for i, c in enumerate(text))
