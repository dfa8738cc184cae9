"""The NLU regression gate of `make test` (scripts/nlu_report.py) against its baseline."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "nlu_report.py"


@pytest.fixture(scope="module")
def nlu_report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_report", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _results(folder: Path, accuracy: float, macro_f1: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    report = {
        "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 10},
        "accuracy": accuracy,
        "macro avg": {"precision": 0.9, "recall": 0.9, "f1-score": macro_f1, "support": 20},
    }
    (folder / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder


def _baseline(path: Path, accuracy: float, macro_f1: float) -> Path:
    path.write_text(
        json.dumps({"intent_accuracy": accuracy, "intent_macro_f1": macro_f1}), encoding="utf-8"
    )
    return path


def test_a_drop_of_more_than_two_points_fails_with_both_numbers(nlu_report, tmp_path, capsys):
    results = _results(tmp_path / "nlu", accuracy=0.88, macro_f1=0.87)
    baseline = _baseline(tmp_path / "baseline.json", accuracy=0.906, macro_f1=0.881)

    assert nlu_report.main([str(results), "--baseline", str(baseline)]) == 1
    out = capsys.readouterr().out
    assert "intent accuracy 0.880 is 0.026 below the baseline 0.906" in out
    assert "macro-F1" in out and "--update-baseline" in out


def test_a_small_drop_or_a_gain_passes(nlu_report, tmp_path, capsys):
    baseline = _baseline(tmp_path / "baseline.json", accuracy=0.906, macro_f1=0.881)
    small = _results(tmp_path / "small", accuracy=0.890, macro_f1=0.870)
    assert nlu_report.main([str(small), "--baseline", str(baseline)]) == 0
    gain = _results(tmp_path / "gain", accuracy=0.95, macro_f1=0.93)
    assert nlu_report.main([str(gain), "--baseline", str(baseline)]) == 0
    assert "lock the gain in" in capsys.readouterr().out


def test_macro_f1_alone_can_fail_the_gate(nlu_report, tmp_path):
    baseline = _baseline(tmp_path / "baseline.json", accuracy=0.906, macro_f1=0.881)
    results = _results(tmp_path / "nlu", accuracy=0.91, macro_f1=0.85)
    assert nlu_report.main([str(results), "--baseline", str(baseline)]) == 1


def test_update_baseline_writes_the_current_scores(nlu_report, tmp_path):
    baseline = _baseline(tmp_path / "baseline.json", accuracy=0.99, macro_f1=0.99)
    results = _results(tmp_path / "nlu", accuracy=0.8, macro_f1=0.75)
    assert nlu_report.main([str(results), "--baseline", str(baseline)]) == 1
    assert nlu_report.main([str(results), "--baseline", str(baseline), "--update-baseline"]) == 0
    written = json.loads(baseline.read_text(encoding="utf-8"))
    assert (written["intent_accuracy"], written["intent_macro_f1"]) == (0.8, 0.75)
    assert nlu_report.main([str(results), "--baseline", str(baseline)]) == 0


def test_the_committed_baseline_is_a_plausible_model(nlu_report):
    baseline = json.loads(nlu_report.DEFAULT_BASELINE.read_text(encoding="utf-8"))
    assert 0.5 < baseline["intent_accuracy"] <= 1 and 0.5 < baseline["intent_macro_f1"] <= 1
