"""``python -m bench.qa`` on the real corpora (skipped without ../shared/eval)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.qa.__main__ import DEFAULT_EVAL_DIR, main


def test_without_the_corpora_it_says_why_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--eval-dir", str(tmp_path)]) == 0
    assert "bench.qa skipped" in capsys.readouterr().err


def test_the_starter_list_flags_no_real_turn_and_the_lexicon_beats_chance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not (DEFAULT_EVAL_DIR / "sentiment").exists():
        pytest.skip(f"{DEFAULT_EVAL_DIR} is absent: the QA bench is not run")
    assert main(["--plants", "300", "--reviews", "600"]) == 0
    report = capsys.readouterr().out
    starter = next(line for line in report.splitlines() if line.startswith("| zhike starter"))
    cells = [cell.strip() for cell in starter.split("|")[1:-1]]
    assert cells[4] == "100.0%"  # every planted word found
    assert cells[6] == "0.0%" and cells[7] == "0.0%"  # no real turn refused or masked
    accuracies = re.findall(r"\| \w+\.csv \| [\d,]+ \| ([\d.]+)%", report)
    assert len(accuracies) == 2 and all(float(value) > 65 for value in accuracies)
