"""Fixtures: real backend processes (one keyed with faults, one in dev mode), REST access."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess, start_backend
from .rest import Api

API_KEY = "zhike-test-secret-0b5c-0123456789abcdef"


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """The backend with ZHIKE_BACKEND_API_KEY set and ZHIKE_BACKEND_FAULTS=1 (development)."""
    process = start_backend(tmp_path_factory.mktemp("backend"), api_key=API_KEY, faults=True)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def dev_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """The backend without API key (ZHIKE_ENV=development) and without fault injection."""
    process = start_backend(tmp_path_factory.mktemp("dev-backend"))
    yield process
    process.stop()


@pytest.fixture
async def client(backend: BackendProcess) -> AsyncIterator[HttpBackendClient]:
    http_client = HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=2.0)
    yield http_client
    await http_client.aclose()


@pytest.fixture
def faults(backend: BackendProcess) -> Iterator[httpx.Client]:
    """A keyed HTTP client for ``/__faults``; the fault is cleared afterwards."""
    assert backend.api_key
    with httpx.Client(
        base_url=backend.base_url, headers={"X-Api-Key": backend.api_key}, timeout=5.0
    ) as http:
        yield http
        http.delete("/__faults")


@pytest.fixture
def api(backend: BackendProcess) -> Iterator[Api]:
    """REST access to the keyed backend, on freshly seeded demo data (reset before and after)."""
    with Api(backend.base_url, backend.api_key) as rest:
        rest.reset()
        yield rest
        rest.reset()
