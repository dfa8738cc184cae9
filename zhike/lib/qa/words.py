"""The packaged starter list of sensitive words and what each category does (``words.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

WORDS_PATH = Path(__file__).resolve().parent / "words.yml"
MAX_WORD = 32


@dataclass(frozen=True)
class Category:
    """A category of sensitive words: refuse agents' replies with it, mask it for agents."""

    name: str
    block_agent: bool
    mask_customer: bool


@dataclass(frozen=True)
class StarterList:
    """The categories and the starter words (``(word, category)``)."""

    categories: dict[str, Category]
    words: tuple[tuple[str, str], ...]


def load_starter(path: Path = WORDS_PATH) -> StarterList:
    """Reads a starter list file."""
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8")) or {}
    categories = {
        str(name): Category(
            str(name), bool(flags.get("block_agent", True)), bool(flags.get("mask_customer"))
        )
        for name, flags in (data.get("categories") or {}).items()
    }
    words = tuple(
        (str(word), str(category))
        for category, listed in (data.get("words") or {}).items()
        for word in listed or []
    )
    unknown = {category for _, category in words} - set(categories)
    if unknown:
        raise ValueError(f"words of unknown categories: {sorted(unknown)}")
    return StarterList(categories, words)


@lru_cache(maxsize=1)
def starter() -> StarterList:
    """The packaged starter list, read on first use."""
    return load_starter()


def categories() -> dict[str, Category]:
    """The categories supervisors may file a word under."""
    return starter().categories


def masked_categories() -> frozenset[str]:
    """The categories hidden (``***``) in customers' messages shown to agents."""
    return frozenset(name for name, c in categories().items() if c.mask_customer)


def blocking_categories() -> frozenset[str]:
    """The categories that make an agent's reply refused."""
    return frozenset(name for name, c in categories().items() if c.block_agent)
