"""`python -m bench.kb.encoder`: trains the LSA encoder the project ships (data/kb/lsa.npz).

Learnt from the project's own NLU training examples (every example of data/nlu/*.yml,
entity annotations stripped), never from ../shared/eval, which may not be copied into
the project. Deterministic: the same data gives the same file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bench.texts import strip_annotations
from zhike.lib.kb.retrieval.semantic import DEFAULT_ENCODER_FILE, LsaEncoder

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
DIMENSIONS = 128


def nlu_examples(path: Path) -> dict[str, list[str]]:
    """The examples of every intent of a Rasa NLU YAML file, annotations stripped."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: dict[str, list[str]] = {}
    for block in document.get("nlu") or []:
        if not isinstance(block, dict) or not isinstance(block.get("examples"), str):
            continue
        name = block.get("intent")
        if not isinstance(name, str):
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- ") and (text := strip_annotations(line[2:])):
                examples.setdefault(name, []).append(text)
    return examples


def training_texts(directory: Path = NLU_DIR) -> list[str]:
    """Every intent example of the project's NLU data, in file order."""
    return [
        text
        for path in sorted(directory.glob("*.yml"))
        for texts in nlu_examples(path).values()
        for text in texts
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kb.encoder", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_ENCODER_FILE)
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    args = parser.parse_args(argv)
    texts = training_texts()
    encoder = LsaEncoder.fit(texts, dimensions=args.dimensions)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    encoder.save(args.out)
    print(
        f"{args.out}: {len(texts)} texts, {len(encoder.vocabulary)} n-grams, "
        f"{encoder.dimensions} dimensions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
