"""The 猜你想问 menu: read from staff's YAML file, cleaned, and put into widget.js."""

from __future__ import annotations

from pathlib import Path

from zhike.channels.web.channel import WebChatInput
from zhike.channels.web.suggestions import load_suggestions, parse_suggestions


def test_the_shipped_menu_has_three_to_six_short_questions() -> None:
    menu = load_suggestions()
    assert menu["title"] == "猜你想问"
    assert 3 <= len(menu["questions"]) <= 6
    assert all(0 < len(question) <= 40 for question in menu["questions"])


def test_junk_is_dropped_and_at_most_six_are_kept() -> None:
    questions = [
        "  怎么退货？ ",
        "",
        None,
        7,
        "怎么退货？",
        "长" * 41,
        *[f"问题{i}" for i in range(9)],
    ]
    menu = parse_suggestions({"title": " ", "questions": questions})
    assert menu == {
        "title": "猜你想问",
        "questions": ["怎么退货？", "问题0", "问题1", "问题2", "问题3", "问题4"],
    }
    assert parse_suggestions(["not", "a", "mapping"]) == {"title": "猜你想问", "questions": []}


def test_a_missing_or_broken_file_means_no_menu(tmp_path: Path) -> None:
    assert load_suggestions(tmp_path / "missing.yml")["questions"] == []
    broken = tmp_path / "broken.yml"
    broken.write_text("questions: [unclosed", encoding="utf-8")
    assert load_suggestions(broken)["questions"] == []


def test_the_widget_gets_the_staffs_file_on_every_load(tmp_path: Path) -> None:
    path = tmp_path / "menu.yml"
    path.write_text("title: 常见问题\nquestions: [怎么开发票, 退货政策]\n", encoding="utf-8")
    channel = WebChatInput.from_credentials({"suggestions_file": str(path)})
    assert isinstance(channel, WebChatInput)
    assert channel.client_settings()["suggestions"] == {
        "title": "常见问题",
        "questions": ["怎么开发票", "退货政策"],
    }
    path.write_text("questions: [改了]\n", encoding="utf-8")  # an edit shows without a restart
    assert channel.client_settings()["suggestions"]["questions"] == ["改了"]
