"""Training runs with TensorFlow's deterministic, single-threaded settings."""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

import pytest

from zhike.tools import rasa_train


def test_rasa_train_gets_its_arguments_and_the_deterministic_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in rasa_train.DETERMINISTIC_ENV:
        monkeypatch.delenv(name, raising=False)
    calls: list[tuple[str, list[str]]] = []

    def run_module(name: str, **_: Any) -> None:
        calls.append((name, list(sys.argv)))
        assert {n: os.environ[n] for n in rasa_train.DETERMINISTIC_ENV} == (
            rasa_train.DETERMINISTIC_ENV
        )

    import tensorflow as tf

    switched: list[bool] = []
    # not for real: it would hold for every later test of this process
    monkeypatch.setattr(
        tf.config.experimental, "enable_op_determinism", lambda: switched.append(True)
    )
    monkeypatch.setattr(runpy, "run_module", run_module)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    rasa_train.main(["--config", "config.yml", "--out", "models"])
    assert calls == [("rasa", ["rasa", "train", "--config", "config.yml", "--out", "models"])]
    assert switched == [True]
