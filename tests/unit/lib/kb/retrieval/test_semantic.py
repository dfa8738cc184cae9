"""The semantic stage: the shipped encoder loads, round-trips, and is optional."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zhike.lib.kb.retrieval import IndexedEntry, LsaEncoder, Searcher
from zhike.lib.kb.retrieval.analyzer import read_synonyms
from zhike.lib.kb.retrieval.semantic import DEFAULT_ENCODER_FILE, load_default_encoder

TEXTS = [
    "退款多久到账",
    "退款几天能到",
    "发票怎么开",
    "能开专票吗",
    "优惠券怎么用",
    "优惠券能叠加吗",
]


def test_an_encoder_saved_and_loaded_encodes_the_same(tmp_path: Path):
    encoder = LsaEncoder.fit(TEXTS * 2, dimensions=3, min_count=1)
    path = tmp_path / "lsa.npz"
    encoder.save(path)
    loaded = LsaEncoder.load(path)
    vectors = loaded.encode(["退款多久能到账", "完全无关的话"])
    np.testing.assert_allclose(vectors, encoder.encode(["退款多久能到账", "完全无关的话"]))
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert loaded.encode([]).shape == (0, 3)


def test_the_project_ships_an_encoder():
    assert DEFAULT_ENCODER_FILE.is_file()
    encoder = load_default_encoder()
    assert encoder is not None and encoder.encode(["退款多久到账"]).shape == (1, 128)
    assert load_default_encoder(DEFAULT_ENCODER_FILE.with_name("absent.npz")) is None


def test_lexical_only_when_there_is_no_encoder():
    entries = [IndexedEntry(1, ("退款多久到账",)), IndexedEntry(2, ("发票怎么开",))]
    hits = Searcher.build(entries, encoder=None).search("退款几天到账")
    assert hits[0].entry_id == 1


def test_a_malformed_synonym_file_is_refused(tmp_path: Path):
    path = tmp_path / "synonyms.yml"
    path.write_text("synonyms: 退款\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_synonyms(path)
    path.write_text("synonyms:\n  - [退款, 退钱]\n", encoding="utf-8")
    assert read_synonyms(path) == {"退钱": "退款"}
