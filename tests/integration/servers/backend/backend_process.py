"""Starting and stopping the real backend (``python -m zhike.servers.backend``) as a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

REPO_ROOT = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BackendProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    db_path: Path
    log_path: Path
    api_key: str | None
    _log: IO[bytes]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


def backend_env(
    api_key: str | None = None,
    faults: bool = False,
    db_url: str | None = None,
    development: bool = True,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a backend process: ours, without any ZHIKE_BACKEND_* or ZHIKE_ENV."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ZHIKE_BACKEND") and k != "ZHIKE_ENV"
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    if development:
        env["ZHIKE_ENV"] = "development"
    if api_key:
        env["ZHIKE_BACKEND_API_KEY"] = api_key
    if faults:
        env["ZHIKE_BACKEND_FAULTS"] = "1"
    if db_url:
        env["ZHIKE_BACKEND_DB_URL"] = db_url
    env.update(extra_env or {})
    return env


def start_backend(
    workdir: Path,
    api_key: str | None = None,
    faults: bool = False,
    timeout: float = 30.0,
    db_url: str | None = None,
    development: bool = True,
    extra_env: Mapping[str, str] | None = None,
) -> BackendProcess:
    """Starts the backend on a free port in ``workdir`` and waits until /health is ok.

    The database is the SQLite file ``workdir/b.db`` (``--db-url``) unless ``db_url`` names
    another, which is passed as ``ZHIKE_BACKEND_DB_URL`` like a deployment would. The
    process runs with ``ZHIKE_ENV=development`` unless ``development`` is False.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = backend_env(api_key, faults, db_url, development, extra_env)
    db_path = workdir / "b.db"
    last_error = ""
    for attempt in range(3):  # the free port may be taken between probe and bind
        port = free_port()
        log_path = workdir / f"backend-{port}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zhike.servers.backend",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *([] if db_url else ["--db-url", f"sqlite+aiosqlite:///{db_path}"]),
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        backend = BackendProcess(
            process, f"http://127.0.0.1:{port}", db_path, log_path, api_key, log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{backend.base_url}/health", timeout=1.0).status_code == 200:
                    return backend
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        backend.stop()
        last_error = f"attempt {attempt + 1}: exit code {process.returncode}\n{backend.log()}"
        if process.returncode is None or "address already in use" not in backend.log().lower():
            break
    raise RuntimeError(f"backend did not become healthy:\n{last_error}")
