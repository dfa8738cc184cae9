"""Fail closed: what the real backend process refuses to start with, and what it logs.

Production is the default (no ``ZHIKE_ENV``): a start without a strong
``ZHIKE_BACKEND_API_KEY`` or with the test-only endpoints fails with a message naming the
variable; a weak key is refused even in development; one-time codes never reach a
production log.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from zhike.common.deployment import ConfigurationError
from zhike.servers.backend.config import Settings
from zhike.servers.backend.security import check_request, check_settings

from .backend_process import backend_env, free_port, start_backend
from .rest import Api

pytestmark = pytest.mark.integration

STRONG_KEY = "prod-backend-key-0123456789abcdef0123456789"
ZHANG = "13800138001"


def refused_start(workdir: Path, **options: object) -> tuple[int, str]:
    """Runs ``python -m zhike.servers.backend`` expecting it to exit; its exit code and output."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = backend_env(**options)  # type: ignore[arg-type]
    argv = [sys.executable, "-m", "zhike.servers.backend", "--port", str(free_port())]
    argv += ["--db-url", f"sqlite+aiosqlite:///{workdir / 'b.db'}"]
    done = subprocess.run(
        argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode, done.stdout + done.stderr


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    code, output = refused_start(tmp_path, development=False)
    assert code == 2, output
    assert "ZHIKE_BACKEND_API_KEY is not set" in output and "ZHIKE_ENV=development" in output
    assert "Traceback" not in output and not (tmp_path / "b.db").exists()


@pytest.mark.parametrize("development", [False, True])
def test_a_short_key_is_refused_even_in_development(tmp_path: Path, development: bool) -> None:
    code, output = refused_start(
        tmp_path, api_key="short-key-31-bytes-long-xxxxxxx", development=development
    )
    assert code == 2, output
    assert "ZHIKE_BACKEND_API_KEY must be at least 32 bytes long" in output


def test_the_test_endpoints_are_refused_in_production(tmp_path: Path) -> None:
    code, output = refused_start(tmp_path, api_key=STRONG_KEY, faults=True, development=False)
    assert code == 2, output
    assert "ZHIKE_BACKEND_FAULTS=1" in output


def test_production_with_a_key_serves_and_never_logs_a_code(tmp_path: Path) -> None:
    process = start_backend(tmp_path, api_key=STRONG_KEY, development=False)
    try:
        assert httpx.get(f"{process.base_url}/api/v1/orders/HP20240001").status_code == 401
        with Api(process.base_url, STRONG_KEY) as api:
            body = {"phone": ZHANG, "channel": "wechat", "channel_user_id": "o-prod"}
            assert api.post("/bindings/codes", body).status_code == 202
            assert api.post("/orders/HP20240001/phone-checks", {}).status_code == 422
            assert httpx.get(f"{process.base_url}/__sent_codes").status_code == 401
            assert api.http.get("/__sent_codes").status_code == 404  # not mounted
    finally:
        process.stop()
    log = process.log()
    assert "One-time code sent to 138****8001" in log
    code_lines = [line for line in log.splitlines() if "code" in line.lower()]
    assert not any(re.search(r"(?<!\d)\d{6}(?!\d)", line) for line in code_lines), log
    assert "is not set" not in log


def test_development_without_a_key_warns_once_and_accepts(tmp_path: Path) -> None:
    process = start_backend(tmp_path, development=True)
    try:
        assert httpx.get(f"{process.base_url}/api/v1/orders/HP20240001").status_code == 200
    finally:
        process.stop()
    assert process.log().count("ZHIKE_BACKEND_API_KEY is not set") == 1


def test_an_app_that_was_not_checked_still_refuses_every_request() -> None:
    """A production app built without a key (bypassing __main__) serves no API call."""
    settings = Settings(db_url="sqlite+aiosqlite://", app_name="zhike_unchecked_prod")
    with pytest.raises(ConfigurationError, match="ZHIKE_BACKEND_API_KEY"):
        check_settings(settings)
    request = type("R", (), {"path": "/api/v1/orders/HP20240001", "headers": {}})()
    rejected = check_request(request, settings)  # type: ignore[arg-type]
    assert rejected is not None and rejected.status == 401
