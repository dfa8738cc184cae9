"""Fixtures of the NLU component tests: the project's tokenizer, as the pipeline builds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from zhike.nlu.tokenizer import ZhikeTokenizer


@pytest.fixture
def tokenizer(tmp_path: Path) -> ZhikeTokenizer:
    return ZhikeTokenizer.create(
        ZhikeTokenizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("tokenizer"),
        ExecutionContext(GraphSchema({}), "test"),
    )
