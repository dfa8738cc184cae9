"""Prints held-out intent accuracy and macro-F1 from `rasa test nlu`, and gates regressions.

The committed baseline (tests/nlu_baseline.json) holds the numbers of the last model whose
NLU was accepted deliberately. When accuracy or macro-F1 falls more than 0.02 below it,
this exits 1 and `make test` fails. A change meant to move the numbers (new intents, a
new held-out set, a different pipeline) updates the baseline in the same commit:

    .venv/bin/python scripts/nlu_report.py results/nlu --update-baseline
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASELINE = ROOT / "tests" / "nlu_baseline.json"
MAX_DROP = 0.02
UPDATE = "python scripts/nlu_report.py results/nlu --update-baseline"
SUMMARY_ROWS = {"macro avg", "weighted avg", "micro avg"}


def read_scores(results: Path) -> dict[str, float]:
    """Intent accuracy, macro-F1 and the number of examples of a results folder."""
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    return {
        "intent_accuracy": float(report["accuracy"]),
        "intent_macro_f1": float(report["macro avg"]["f1-score"]),
        "examples": float(report["macro avg"]["support"]),
    }


def print_report(results: Path, scores: dict[str, float]) -> None:
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    weak = sorted(
        (name, row["f1-score"])
        for name, row in report.items()
        if isinstance(row, dict)
        and "support" in row
        and name not in SUMMARY_ROWS
        and row["f1-score"] < 0.8
    )
    print(
        f"Held-out NLU: intent accuracy {scores['intent_accuracy']:.3f}, "
        f"macro-F1 {scores['intent_macro_f1']:.3f} ({scores['examples']:.0f} examples)"
    )
    for name, f1 in weak:
        print(f"  weak intent {name}: F1 {f1:.2f}")
    responses = results / "response_selection_report.json"
    if responses.exists():
        rs = json.loads(responses.read_text(encoding="utf-8"))
        print(f"Held-out response selection: accuracy {rs['accuracy']:.3f}")


def update_command(results: Path, baseline: Path) -> str:
    """The command that makes these results the baseline."""
    where = "" if baseline == DEFAULT_BASELINE else f" --baseline {baseline}"
    return f"python scripts/nlu_report.py {results} --update-baseline{where}"


def write_baseline(path: Path, scores: dict[str, float], update: str = UPDATE) -> None:
    baseline = {
        "intent_accuracy": round(scores["intent_accuracy"], 4),
        "intent_macro_f1": round(scores["intent_macro_f1"], 4),
        "examples": int(scores["examples"]),
        "updated": time.strftime("%Y-%m-%d"),
        "how": f"`make test` fails when either score drops more than {MAX_DROP} below "
        f"these; after a deliberate change run: {update}",
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")


def check(scores: dict[str, float], baseline: dict[str, float], max_drop: float) -> list[str]:
    """The regressions: one line per score that fell more than ``max_drop``."""
    problems = []
    for key, name in (("intent_accuracy", "intent accuracy"), ("intent_macro_f1", "macro-F1")):
        now, before = scores[key], float(baseline[key])
        if before - now > max_drop:
            problems.append(
                f"{name} {now:.3f} is {before - now:.3f} below the baseline {before:.3f} "
                f"(allowed drop {max_drop})"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/nlu", type=Path)
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="write these scores as the new baseline (commit it with the change)",
    )
    parser.add_argument("--max-drop", type=float, default=MAX_DROP)
    parser.add_argument("--name", default="tests/nlu", help="the set, as messages name it")
    args = parser.parse_args(argv)

    if not (args.results / "intent_report.json").is_file():
        print(f"no intent_report.json in {args.results}: run `rasa test nlu` first")
        return 2
    scores = read_scores(args.results)
    print_report(args.results, scores)
    update = update_command(args.results, args.baseline)
    if args.update_baseline:
        write_baseline(args.baseline, scores, update)
        print(f"Baseline {args.baseline} updated: commit it with the change that moved it.")
        return 0
    if not args.baseline.is_file():
        print(f"No NLU baseline at {args.baseline}: not gated. Create it with: {update}")
        return 0
    baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
    print(
        f"Baseline ({args.baseline.name}): intent accuracy {baseline['intent_accuracy']:.3f}, "
        f"macro-F1 {baseline['intent_macro_f1']:.3f}"
    )
    problems = check(scores, baseline, args.max_drop)
    if problems:
        print(f"NLU REGRESSION on the held-out set ({args.name}):")
        for problem in problems:
            print(f"  {problem}")
        print(
            "Fix the training data or pipeline; if the drop is intended (e.g. harder held-out "
            f"examples), update the baseline deliberately and commit it: {update}"
        )
        return 1
    gains = [k for k in ("intent_accuracy", "intent_macro_f1") if scores[k] - baseline[k] > 0.01]
    if gains:
        print(f"Above the baseline: lock the gain in with {update}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
