"""Start and stop zhike's processes: business backend, action server and Rasa server.

`make run` uses it for a developer's machine; the end-to-end tests and the benchmark use
it to run the real servers on free loopback ports. Every process gets its own session
(process group), its output goes to a log file, and :meth:`Stack.stop` ends all of them,
also after a crash of one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class StackError(RuntimeError):
    """A process of the stack did not start or died."""


def free_port(host: str = "127.0.0.1") -> int:
    """An unused TCP port on ``host`` (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """One process of the stack: how to start it and how to tell it is ready."""

    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    _log: IO[bytes] | None = None

    def start(self, log_dir: Path, cwd: Path) -> None:
        """Starts the process in its own session, writing its output to a log file."""
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env={**os.environ, **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        """Whether the health URL answers 200."""
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the process's log (for error messages)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Sends SIGTERM to the process group, then SIGKILL after ``timeout`` seconds."""
        if self.process is not None and self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@dataclass
class StackConfig:
    """Where each service listens and what it runs with."""

    model: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    backend_port: int = 5080
    desk_port: int = 5090
    state_dir: Path = PROJECT_ROOT / ".zhike"
    backend_db_url: str | None = None
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"
    tracker_db: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on_free_ports(cls, model: Path, state_dir: Path, **kwargs: object) -> StackConfig:
        """A configuration on free loopback ports with all state under ``state_dir``."""
        return cls(
            model=model,
            rasa_port=free_port(),
            actions_port=free_port(),
            backend_port=free_port(),
            desk_port=free_port(),
            state_dir=state_dir,
            backend_db_url=f"sqlite+aiosqlite:///{state_dir / 'backend.db'}",
            tracker_db=state_dir / "tracker.db",
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://{self.host}:{self.actions_port}"

    @property
    def backend_url(self) -> str:
        """Base URL of the reference business backend."""
        return f"http://{self.host}:{self.backend_port}"

    @property
    def desk_url(self) -> str:
        """Base URL of the human agents' desk."""
        return f"http://{self.host}:{self.desk_port}"

    @property
    def app_push_db_url(self) -> str:
        """The app channel's journal of pushes not delivered yet."""
        return f"sqlite+aiosqlite:///{self.state_dir / 'app_push.db'}"

    @property
    def handoff_db_url(self) -> str:
        """The handoff tables, shared by the action server and the desk."""
        return f"sqlite+aiosqlite:///{self.state_dir / 'handoff.db'}"


class Stack:
    """The processes of a zhike deployment, started and stopped together.

    Usage::

        with Stack(StackConfig(model=Path("models/zhike.tar.gz"))) as stack:
            ...  # stack.config.rasa_url answers
    """

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.services = self._services()

    def _runtime_endpoints(self) -> Path:
        """endpoints.yml with the action server URL (and tracker DB) of this stack."""
        endpoints = yaml.safe_load(self.config.endpoints.read_text(encoding="utf-8")) or {}
        endpoints["action_endpoint"] = {"url": f"{self.config.actions_url}/webhook"}
        if self.config.tracker_db is not None:
            endpoints["tracker_store"] = {
                "type": "SQL",
                "dialect": "sqlite",
                "db": str(self.config.tracker_db),
            }
        path = self.config.state_dir / "endpoints.run.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
        return path

    def _services(self) -> list[Service]:
        cfg = self.config
        python = sys.executable
        backend_argv = [
            python,
            "-m",
            "zhike.backend",
            "--host",
            cfg.host,
            "--port",
            str(cfg.backend_port),
        ]
        if cfg.backend_db_url:
            backend_argv += ["--db-url", cfg.backend_db_url]
        client_env = {
            "ZHIKE_BACKEND": "http",
            "ZHIKE_BACKEND_URL": cfg.backend_url,
            "ZHIKE_HANDOFF_DB_URL": cfg.handoff_db_url,
            **cfg.extra_env,
        }
        desk_env = {
            "ZHIKE_DESK_DB_URL": cfg.handoff_db_url,
            "ZHIKE_DESK_RASA_URL": cfg.rasa_url,
            "ZHIKE_DESK_COOKIE_SECURE": "0",  # plain http on loopback
            "ZHIKE_BACKEND": "http",  # customer context and tickets of agent assist
            "ZHIKE_BACKEND_URL": cfg.backend_url,
            **cfg.extra_env,
        }
        return [
            Service("backend", backend_argv, f"{cfg.backend_url}/health", dict(cfg.extra_env)),
            Service(
                "actions",
                [
                    python,
                    "-m",
                    "zhike.launch",
                    "rasa_sdk",
                    "--actions",
                    "actions",
                    "--port",
                    str(cfg.actions_port),
                ],
                f"{cfg.actions_url}/health",
                client_env,
            ),
            Service(
                "rasa",
                [
                    python,
                    "-m",
                    "zhike.launch",
                    "rasa",
                    "run",
                    "--enable-api",
                    "--cors",
                    "*",
                    "--interface",
                    cfg.host,
                    "--port",
                    str(cfg.rasa_port),
                    "--model",
                    str(cfg.model),
                    "--credentials",
                    str(cfg.credentials),
                    "--endpoints",
                    "{endpoints}",
                ],
                f"{cfg.rasa_url}/status",
                # the app channel's push journal lives with the rest of this stack's state
                {"ZHIKE_APP_PUSH_DB_URL": cfg.app_push_db_url, **cfg.extra_env},
            ),
            Service(
                "desk",
                [
                    python,
                    "-m",
                    "zhike.desk",
                    "--host",
                    cfg.host,
                    "--port",
                    str(cfg.desk_port),
                ],
                f"{cfg.desk_url}/health",
                desk_env,
            ),
        ]

    def start(self, timeout: float = 240.0) -> None:
        """Starts every service and waits until all answer their health URL.

        Raises:
            StackError: a service exited or was not ready within ``timeout`` seconds; the
                services already started are stopped first.
        """
        if not self.config.model.exists():
            raise StackError(f"No trained model at {self.config.model}: run `make train`.")
        endpoints = str(self._runtime_endpoints())
        log_dir = self.config.state_dir / "logs"
        for service in self.services:
            service.argv = [endpoints if a == "{endpoints}" else a for a in service.argv]
            service.start(log_dir, PROJECT_ROOT)
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending:
            for service in list(pending):
                if not service.alive():
                    self.stop()
                    raise StackError(
                        f"{service.name} exited during start-up:\n{service.log_tail()}"
                    )
                if service.ready():
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                tails = "\n".join(f"--- {s.name}\n{s.log_tail()}" for s in pending)
                self.stop()
                raise StackError(f"Not ready after {timeout:.0f} s: {names}\n{tails}")
            time.sleep(0.5)

    def dead_services(self) -> list[Service]:
        """Services that have exited since start."""
        return [s for s in self.services if not s.alive()]

    def stop(self) -> None:
        """Stops every service (Rasa first, the backend last)."""
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
