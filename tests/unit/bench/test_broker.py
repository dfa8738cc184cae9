"""``python -m bench.broker``: both writers store every event; batching needs far fewer commits."""

from __future__ import annotations

import pytest

from bench.broker.__main__ import main


def test_both_writers_store_every_event_and_batching_commits_far_less(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--events", "300", "--runs", "1"]) == 0
    rows = {
        cells[0]: cells
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("| per-event") or line.startswith("| batched")
        for cells in [[cell.strip() for cell in line.split("|")[1:-1]]]
    }
    assert rows["per-event"][4] == "300" and rows["per-event"][5] == "300"
    assert rows["batched"][5] == "300"
    assert int(rows["batched"][4]) <= 30  # ≥ 10 events per transaction on average
