"""Fresh training of both models and the held-out NLU evaluation (`rasa test nlu`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zhike.tools.stack import PROJECT_ROOT

BENCH_DIR = Path(__file__).resolve().parent
ZHIKE_CONFIG = PROJECT_ROOT / "config.yml"
BASELINE_CONFIG = BENCH_DIR / "baseline_config.yml"
NLU_TEST_DATA = PROJECT_ROOT / "tests" / "nlu"

# Components that train for a number of epochs (their default is 100+ when unset).
EPOCH_COMPONENTS = {
    "DIETClassifier",
    "ResponseSelector",
    "TEDPolicy",
    "UnexpecTEDIntentPolicy",
}


class BenchError(RuntimeError):
    """A step of the benchmark failed (training, evaluation, start-up)."""


@dataclass
class NluScores:
    """Held-out NLU results of one model."""

    intent_accuracy: float | None = None
    intent_macro_f1: float | None = None
    response_accuracy: float | None = None
    examples: int = 0


def load_config(path: Path) -> dict[str, Any]:
    """The YAML model configuration at ``path``."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def fallback_threshold(config: Path) -> float:
    """The FallbackClassifier threshold of ``config`` (Rasa's default 0.3 otherwise)."""
    for component in load_config(config).get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.3


def quick_config(source: Path, target: Path, epochs: int) -> Path:
    """Writes a copy of ``source`` with every epoch count capped at ``epochs``.

    For `--quick` development runs only: the models are much worse than the real ones.
    """
    config = load_config(source)
    for section in ("pipeline", "policies"):
        for component in config.get(section) or []:
            if component.get("name") in EPOCH_COMPONENTS:
                component["epochs"] = min(int(component.get("epochs", epochs)), epochs)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return target


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def train_model(config: Path, name: str, workdir: Path) -> tuple[Path, float]:
    """Trains ``workdir/models/<name>.tar.gz`` from scratch; returns it and the wall time (s).

    The same command as `make train` (zhike.tools.train), plus `--force` and an empty Rasa
    cache directory, so nothing is reused from earlier trainings.
    """
    out = workdir / "models"
    log = workdir / f"train-{name}.log"
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(workdir / f"cache-{name}")}
    argv = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        str(config),
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
        "--force",
    ]
    start = time.perf_counter()
    with open(log, "wb") as output:
        result = subprocess.run(
            argv, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    seconds = time.perf_counter() - start
    model = out / f"{name}.tar.gz"
    if result.returncode != 0 or not model.exists():
        raise BenchError(f"training {name} failed (log {log}):\n{_tail(log)}")
    return model, seconds


def evaluate_nlu(model: Path, name: str, workdir: Path) -> NluScores:
    """Runs `rasa test nlu` on tests/nlu and reads its intent and response reports."""
    out = workdir / f"nlu-{name}"
    log = workdir / f"nlu-{name}.log"
    argv = [
        sys.executable,
        "-m",
        "rasa",
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(NLU_TEST_DATA),
        "--out",
        str(out),
        "--no-plot",
    ]
    with open(log, "wb") as output:
        result = subprocess.run(argv, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
    intent_report = out / "intent_report.json"
    if result.returncode != 0 or not intent_report.exists():
        raise BenchError(f"rasa test nlu failed for {name} (log {log}):\n{_tail(log)}")
    report = json.loads(intent_report.read_text(encoding="utf-8"))
    scores = NluScores(
        intent_accuracy=report.get("accuracy"),
        intent_macro_f1=(report.get("macro avg") or {}).get("f1-score"),
        examples=int((report.get("macro avg") or {}).get("support") or 0),
    )
    response_report = out / "response_selection_report.json"
    if response_report.exists():
        responses = json.loads(response_report.read_text(encoding="utf-8"))
        scores.response_accuracy = responses.get("accuracy")
    return scores
