from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[3]


def normalise(text: str) -> str:
    """Lower-case, NFKC, no whitespace or punctuation: how "the same example" is judged."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\W_]+", "", text)


@pytest.fixture(scope="session")
def training_data() -> TrainingData:
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="session")
def held_out() -> TrainingData:
    return load_data(str(ROOT / "tests" / "nlu"))


@pytest.fixture(scope="session")
def blind() -> TrainingData:
    """Both halves of tests/nlu_blind (dev and test)."""
    return load_data(str(ROOT / "tests" / "nlu_blind"))


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))
