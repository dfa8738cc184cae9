"""client_from_env: the environment picks the implementation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zhike.lib.backend_client import client_from_env
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient
from zhike.lib.backend_client.transport import API_KEY_HEADER


def test_http_is_the_default() -> None:
    client = client_from_env({})
    assert isinstance(client, HttpBackendClient)
    assert client.base_url == "http://127.0.0.1:5080"
    assert client.timeout == 2.0
    assert API_KEY_HEADER not in client._http._headers


def test_http_settings_from_env() -> None:
    client = client_from_env(
        {
            "ZHIKE_BACKEND": "HTTP",
            "ZHIKE_BACKEND_URL": "http://backend.internal:9000/",
            "ZHIKE_BACKEND_API_KEY": "k-123",
            "ZHIKE_BACKEND_TIMEOUT": "0.75",
        }
    )
    assert isinstance(client, HttpBackendClient)
    assert client.base_url == "http://backend.internal:9000"
    assert client.timeout == 0.75
    assert client._http._headers[API_KEY_HEADER] == "k-123"


def test_fake() -> None:
    assert isinstance(client_from_env({"ZHIKE_BACKEND": "fake"}), InMemoryBackendClient)


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIKE_BACKEND", "fake")
    assert isinstance(client_from_env(), InMemoryBackendClient)


@pytest.mark.parametrize(
    "env",
    [
        {"ZHIKE_BACKEND": "grpc"},
        {"ZHIKE_BACKEND_TIMEOUT": "two"},
        {"ZHIKE_BACKEND_TIMEOUT": "0"},
        {"ZHIKE_BACKEND_TIMEOUT": "-1"},
        {"ZHIKE_BACKEND_TIMEOUT": "nan"},
        {"ZHIKE_BACKEND_TIMEOUT": "inf"},
    ],
)
def test_bad_settings_are_rejected(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        client_from_env(env)


def test_importing_has_no_side_effects() -> None:
    code = (
        "import sys, zhike.lib.backend_client, zhike.servers.backend;"
        "bad = [m for m in ('sanic', 'sqlalchemy', 'httpx') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[4],
    ).stdout.strip()
    assert out == ""


def test_cooldown_is_read_and_validated() -> None:
    client = client_from_env({"ZHIKE_BACKEND_COOLDOWN": "0.5"})
    assert isinstance(client, HttpBackendClient)
    assert client._http.cooldown == 0.5
    with pytest.raises(ValueError, match="ZHIKE_BACKEND_COOLDOWN"):
        client_from_env({"ZHIKE_BACKEND_COOLDOWN": "soon"})
    with pytest.raises(ValueError, match="ZHIKE_BACKEND_TIMEOUT"):
        client_from_env({"ZHIKE_BACKEND_TIMEOUT": "0"})
