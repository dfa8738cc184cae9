"""The follow-ups file: loaded, validated, and read in context."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhike.common.follow_ups import continued_request, load_follow_ups


def test_the_shipped_file_loads() -> None:
    assert {f.after for f in load_follow_ups()} >= {"query_course", "query_visit"}


def test_a_follow_up_is_read_only_after_its_request() -> None:
    assert continued_request("query_course", "老师是谁啊") == "query_course"
    assert continued_request("query_course", "老師是誰") == "query_course"
    assert continued_request(None, "老师是谁啊") is None
    assert continued_request("query_visit", "后天上午行不行") == "change_visit"
    assert continued_request("query_visit", "后天上午不用来了 取消吧") is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "follow_ups:\n  - after: query_course\n    says: [老师]\n",
            "needs after, becomes and says",
        ),
        ("follow_ups:\n  - after: a\n    becomes: b\n    says: ['(']\n", "follow-up 1"),
    ],
)
def test_a_broken_file_is_named(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "follow_ups.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_follow_ups(path)
