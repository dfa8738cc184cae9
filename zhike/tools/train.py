"""`python -m zhike.tools.train`: train the Rasa model only when its inputs changed.

The fingerprint is a SHA-256 over config.yml, the domain, everything under data/
(NLU, rules, stories, jieba dictionaries) and the Python source of zhike's own pipeline
components and policies (zhike/nlu/, zhike/dialogue/). It is stored next to the model;
an unchanged fingerprint with the model present means there is nothing to do.
Training runs through :mod:`zhike.tools.rasa_train`, so the same inputs give the same
model on machines of the same kind.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from zhike.tools.stack import PROJECT_ROOT

INPUTS = ("config.yml", "domain", "data", "zhike/nlu", "zhike/dialogue")
# Under data/ but not training data: the knowledge base's seed entries (Rasa skips them).
NOT_INPUTS = ("data/kb",)


def input_files(root: Path = PROJECT_ROOT, config: str = "config.yml") -> list[Path]:
    """Every file that changes the trained model, in a stable order."""
    files: list[Path] = []
    for name in (config, *INPUTS[1:]):
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix != ".pyc"
                and "__pycache__" not in p.parts
                and not any(p.is_relative_to(root / skip) for skip in NOT_INPUTS)
            )
    return sorted(set(files))


def fingerprint(root: Path = PROJECT_ROOT, config: str = "config.yml") -> str:
    """SHA-256 over the relative paths and contents of :func:`input_files`."""
    digest = hashlib.sha256()
    for path in input_files(root, config):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Trains ``models/<name>.tar.gz`` unless its fingerprint is current."""
    parser = argparse.ArgumentParser(prog="python -m zhike.tools.train", description=__doc__)
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--name", default="zhike", help="model file name without .tar.gz")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "models")
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    args = parser.parse_args(argv)

    model = args.out / f"{args.name}.tar.gz"
    stamp = args.out / f"{args.name}.fingerprint"
    current = fingerprint(PROJECT_ROOT, args.config)
    if not args.force and model.exists() and stamp.exists():
        if stamp.read_text().strip() == current:
            print(f"Model {model} is up to date (config, domain and data unchanged).")
            return 0
    print(f"Training {model} ...", flush=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhike.tools.rasa_train",  # rasa train with deterministic TensorFlow ops
            "--config",
            args.config,
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(args.out),
            "--fixed-model-name",
            args.name,
        ],
        cwd=PROJECT_ROOT,
        # the same model from `make train`, `make run` and CI: Python's string hashing
        # (set iteration in featurizers) is otherwise seeded at random
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if result.returncode != 0:
        return result.returncode
    stamp.write_text(current + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
