"""Starts ``python -m zhike.servers.action_server`` on a free loopback port for a test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from zhike.tools.stack import PROJECT_ROOT, free_port

TOKEN = "test-action-token-0123456789abcdef0123456789"
IDENTITY_SECRET = "test-identity-secret-0123456789abcdef01234567"
PRODUCTION_ENV = {
    "ZHIKE_ENV": "production",
    "ZHIKE_ACTION_TOKEN": TOKEN,
    "ZHIKE_IDENTITY_SECRET": IDENTITY_SECRET,
    "ZHIKE_BACKEND": "fake",
}


@dataclass
class RunningServer:
    """A started action server: its base URL and its log file."""

    url: str
    port: int
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        """What the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def _clean_env(env: dict[str, str]) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ZHIKE_ENV", "ZHIKE_ACTION_TOKEN", "ZHIKE_IDENTITY_SECRET")
    }
    return {**base, **env}


def run_server(
    env: dict[str, str], args: list[str], log: Path, timeout: float = 10.0
) -> subprocess.CompletedProcess[str]:
    """Runs the server command to completion (for configurations that must not start)."""
    with open(log, "wb") as out:
        return subprocess.run(
            [sys.executable, "-m", "zhike.servers.action_server", *args],
            cwd=PROJECT_ROOT,
            env=_clean_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            text=True,
        )


@contextmanager
def action_server(
    tmp_path: Path,
    env: dict[str, str] | None = None,
    actions: str = "actions",
    host: str | None = "127.0.0.1",
    timeout: float = 30.0,
) -> Iterator[RunningServer]:
    """The action server, running until the block ends."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "zhike.servers.action_server",
        "--actions",
        actions,
        "--port",
        str(port),
    ]
    if host is not None:
        argv += ["--host", host]
    log = tmp_path / f"action-server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=_clean_env(PRODUCTION_ENV if env is None else env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", port, log, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"action server exited:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(f"{server.url}/health", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"action server not ready:\n{server.log_text()}") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
