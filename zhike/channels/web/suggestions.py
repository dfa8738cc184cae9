"""The 猜你想问 menu of the web widget: common questions staff configure in a YAML file.

The file (default ``zhike/channels/web/suggestions.yml``; another with the channel's
``suggestions_file`` credential) is read each time ``widget.js`` is served, so an edit
shows on the next page load. It holds a ``title`` and a list of ``questions``; the widget
shows them as buttons on a fresh conversation, and a click sends the question's text.
A missing or malformed file means no menu (logged), never a broken widget.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).resolve().parent / "suggestions.yml"
DEFAULT_TITLE = "猜你想问"
MAX_QUESTIONS = 6
MAX_LENGTH = 40


def parse_suggestions(data: Any) -> dict[str, Any]:
    """``{"title", "questions"}`` from a parsed file: valid questions only, at most 6.

    Blank, duplicate, non-text and over-long questions are dropped.
    """
    if not isinstance(data, dict):
        return {"title": DEFAULT_TITLE, "questions": []}
    title = data.get("title")
    title = title.strip() if isinstance(title, str) and title.strip() else DEFAULT_TITLE
    questions: list[str] = []
    for item in data.get("questions") or []:
        text = item.strip() if isinstance(item, str) else ""
        if text and len(text) <= MAX_LENGTH and text not in questions:
            questions.append(text)
    return {"title": title[:MAX_LENGTH], "questions": questions[:MAX_QUESTIONS]}


def load_suggestions(path: Path | None = None) -> dict[str, Any]:
    """The menu from ``path`` (default :data:`DEFAULT_FILE`); no questions when unreadable."""
    path = path or DEFAULT_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        logger.warning("web chat: 猜你想问 file %s not read (%s)", path, type(error).__name__)
        data = None
    return parse_suggestions(data)
