from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zhike.tools.train import fingerprint, input_files

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("config.yml", "domain", "data", "zhike/nlu", "zhike/dialogue"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def test_fingerprint_is_stable(project: Path) -> None:
    assert fingerprint(project) == fingerprint(project)


@pytest.mark.parametrize(
    "changed",
    [
        "config.yml",
        "domain/orders.yml",
        "data/nlu/faq.yml",
        "data/dictionary/orders.txt",
        "zhike/nlu/tokenizer.py",
        "zhike/dialogue/handoff_policy.py",
    ],
)
def test_fingerprint_changes_with_any_model_input(project: Path, changed: str) -> None:
    before = fingerprint(project)
    path = project / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fingerprint(project) != before


def test_files_outside_the_model_inputs_do_not_count(project: Path) -> None:
    before = fingerprint(project)
    (project / "README.md").write_text("docs only", encoding="utf-8")
    assert fingerprint(project) == before
    assert all("README" not in str(p) for p in input_files(project))
    (project / "zhike" / "nlu" / "__pycache__").mkdir(exist_ok=True)
    (project / "zhike" / "nlu" / "__pycache__" / "tokenizer.cpython-310.pyc").write_bytes(b"x")
    assert fingerprint(project) == before


def test_knowledge_base_entries_are_no_model_input(project: Path) -> None:
    before = fingerprint(project)
    seed = project / "data" / "kb" / "faq.yml"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n# staff edit answers\n", "utf-8")
    assert fingerprint(project) == before
