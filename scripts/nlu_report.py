"""Prints intent accuracy and macro-F1 from a `rasa test nlu` results folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(results: str) -> int:
    report = json.loads((Path(results) / "intent_report.json").read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    macro = report["macro avg"]["f1-score"]
    weak = sorted(
        (name, row["f1-score"])
        for name, row in report.items()
        if isinstance(row, dict)
        and "support" in row
        and name not in {"macro avg", "weighted avg", "micro avg"}
        and row["f1-score"] < 0.8
    )
    print(f"Held-out NLU: intent accuracy {accuracy:.3f}, macro-F1 {macro:.3f}")
    for name, f1 in weak:
        print(f"  weak intent {name}: F1 {f1:.2f}")
    responses = Path(results) / "response_selection_report.json"
    if responses.exists():
        rs = json.loads(responses.read_text(encoding="utf-8"))
        print(f"Held-out response selection: accuracy {rs['accuracy']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
