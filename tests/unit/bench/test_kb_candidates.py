"""The semantic-stage candidates of the knowledge-base benchmark: readers, SIF, skipping."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.kb import candidates
from bench.kb.__main__ import candidate_table
from bench.kb.candidates import (
    SifEncoder,
    cilin_groups,
    load_candidates,
    macropodus,
    read_safetensors,
    read_vec,
)


def _package(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("raise ImportError('never imported')\n")
    return folder


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path where fake candidate packages can be placed."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root), *sys.path])
    return root


def test_sif_removes_the_common_direction_and_gives_unit_rows():
    vectors = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]], np.float32)
    index = {"a": 0, "b": 1, "c": 2}
    encoder = SifEncoder(lambda text: [(index[c], 1.0) for c in text if c in index], vectors)
    encoder.fit_component(["a", "ab", "ac", "abc"])
    out = encoder.encode(["ab", "ac", "zz"])
    assert np.allclose(out @ encoder.component, 0.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(out[:2], axis=1), 1.0)
    assert not out[2].any()  # nothing known: a zero row, lexical decides alone
    assert float(out[0] @ out[1]) < 0.5  # what is left tells b from c


def test_word2vec_text_and_safetensors_files_are_read(tmp_path: Path):
    vec = tmp_path / "chars.vec"
    vec.write_text("2 3\n退 1 0 0\n款 0 1 0.5\n", encoding="utf-8")
    vocabulary, matrix = read_vec(vec)
    assert vocabulary == {"退": 0, "款": 1} and matrix.shape == (2, 3)
    tensor = np.arange(6, dtype=np.float16).reshape(3, 2)
    header = json.dumps(
        {"embedding.weight": {"dtype": "F16", "shape": [3, 2], "data_offsets": [0, 12]}}
    ).encode()
    path = tmp_path / "w.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + tensor.tobytes())
    assert np.array_equal(read_safetensors(path, "embedding.weight"), tensor.astype(np.float32))


def test_a_package_shipping_character_vectors_becomes_an_encoder(site: Path):
    data = _package(site, "macropodus") / "data" / "embedding" / "word2vec"
    data.mkdir(parents=True)
    (data / "w2v_model_wiki_char.vec").write_text(
        "5 3\n退 1 0 0\n款 1 0.1 0\n钱 0.9 0.2 0\n发 0 1 0\n货 0 1 0.1\n", encoding="utf-8"
    )
    encoder = macropodus(["退款", "发货", "退钱", "发货了"])
    assert encoder is not None
    refund, money, ship = encoder.encode(["退款", "退钱", "发货"])
    assert float(refund @ money) > float(refund @ ship)


def test_only_equal_meaning_rows_of_cilin_are_synonym_groups(site: Path):
    _package(site, "cilin")
    (site / "data").mkdir()
    tree = {"A": {"tag": "人", "sub": {"a": {"tag": "", "sub": {"01": {"tag": "", "sub": {
        "A": {"tag": "", "sub": {"01=": ["退款", "退钱"], "02#": ["父亲", "母亲"], "03@": ["独"]}}
    }}}}}}}  # fmt: skip
    (site / "data" / "cilin_tree.json").write_text(json.dumps(tree), encoding="utf-8")
    assert cilin_groups() == [["退款", "退钱"]]


def test_candidates_not_installed_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(candidates, "package_dir", lambda name: None)
    missing = ["wordllama", "macropodus", "jionlp-topics", "cilin"]
    loaded = load_candidates(["退款"], None, 0.2, lambda: 0.0)
    assert loaded.columns == [] and loaded.missing == missing
    assert candidate_table(tmp_path) == ([], [], missing)  # no table, the report names them
