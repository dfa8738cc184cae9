"""Start and stop zhike's processes: backend, action server, Rasa, desk and analytics.

`make run` uses it for a developer's machine; the end-to-end tests and the benchmark use
it to run the real servers on free loopback ports. Every process gets its own session
(process group), its output goes to a log file, and :meth:`Stack.stop` ends all of them,
also after a crash of one.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from zhike.tools.analytics_service import analytics_env, analytics_service, with_event_broker
from zhike.tools.process import Service, free_port

__all__ = ["PROJECT_ROOT", "Service", "Stack", "StackConfig", "StackError", "free_port"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class StackError(RuntimeError):
    """A process of the stack did not start or died."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _token_from_env(name: str) -> str:
    """The secret in ``name``, else a fresh random one for this stack."""
    return os.environ.get(name) or secrets.token_urlsafe(32)


@dataclass
class StackConfig:
    """Where each service listens and what it runs with."""

    model: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    backend_port: int = 5080
    desk_port: int = 5090
    analytics_port: int = 5095  # the analytics consumer's health endpoint
    state_dir: Path = PROJECT_ROOT / ".zhike"
    backend_db_url: str | None = None
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"
    tracker_db: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Rasa's HTTP API token (--auth-token), also given to the desk: ZHIKE_RASA_TOKEN, else
    # random for each start. Required (explicitly set) to listen on a non-loopback address.
    rasa_token: str = field(default_factory=lambda: _token_from_env("ZHIKE_RASA_TOKEN"))
    # The shared secret Rasa sends to the action server (X-Zhike-Action-Token).
    action_token: str = field(default_factory=lambda: _token_from_env("ZHIKE_ACTION_TOKEN"))
    # Origins allowed to call the Rasa server from a browser (CORS): the company sites
    # that embed the widget, ZHIKE_WIDGET_ORIGINS (comma-separated); the widget's own
    # pages are served by Rasa itself (same origin).
    cors_origins: list[str] = field(
        default_factory=lambda: [
            o.strip() for o in os.environ.get("ZHIKE_WIDGET_ORIGINS", "").split(",") if o.strip()
        ]
    )

    @classmethod
    def on_free_ports(cls, model: Path, state_dir: Path, **kwargs: object) -> StackConfig:
        """A configuration on free loopback ports with all state under ``state_dir``."""
        return cls(
            model=model,
            rasa_port=free_port(),
            actions_port=free_port(),
            backend_port=free_port(),
            desk_port=free_port(),
            analytics_port=free_port(),
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

    def check_exposure(self) -> None:
        """Refuses to listen beyond loopback without an explicitly configured API token.

        Raises:
            StackError: ``host`` is not loopback and ``ZHIKE_RASA_TOKEN`` is not set.
        """
        for origin in self.cors_origins:
            if any(c in origin for c in "*?[]\\"):
                # Sanic-Cors reads such an entry as an unanchored pattern
                raise StackError(f"ZHIKE_WIDGET_ORIGINS: {origin!r} must be a plain origin")
        if not is_loopback(self.host) and not os.environ.get("ZHIKE_RASA_TOKEN"):
            raise StackError(
                f"Refusing to listen on {self.host} without an API token: set ZHIKE_RASA_TOKEN "
                "(at least 32 bytes) so that nobody on the network can read or change "
                "conversations through Rasa's HTTP API."
            )

    @property
    def cors(self) -> list[str]:
        """The ``--cors`` origins of the Rasa server (its own origin at least)."""
        return [self.rasa_url, *self.cors_origins]

    @property
    def app_push_db_url(self) -> str:
        """The app channel's journal of pushes not delivered yet."""
        return f"sqlite+aiosqlite:///{self.state_dir / 'app_push.db'}"

    @property
    def kb_db_url(self) -> str:
        """The knowledge base, shared by the action server (answers) and the desk (editing)."""
        return f"sqlite+aiosqlite:///{self.state_dir / 'kb.db'}"

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
        endpoints["action_endpoint"] = {
            "url": f"{self.config.actions_url}/webhook",
            # expanded by Rasa from its environment: the token is never written to disk
            "headers": {"X-Zhike-Action-Token": "${ZHIKE_ACTION_TOKEN}"},
        }
        if self.config.tracker_db is not None:
            endpoints["tracker_store"] = {
                "type": "zhike.tracker_store.MaskingSQLTrackerStore",
                "dialect": "sqlite",
                "db": str(self.config.tracker_db),
            }
        with_event_broker(endpoints, self.config)
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
            "zhike.servers.backend",
            "--host",
            cfg.host,
            "--port",
            str(cfg.backend_port),
        ]
        if cfg.backend_db_url:
            backend_argv += ["--db-url", cfg.backend_db_url]
        # The stack is a developer's or a test's: the explicit development switch (unless
        # the caller's environment names another) and the tokens it generated.
        dev_env = {"ZHIKE_ENV": os.environ.get("ZHIKE_ENV", "development")}
        client_env = {
            **dev_env,
            "ZHIKE_ACTION_TOKEN": cfg.action_token,
            "ZHIKE_BACKEND": "http",
            "ZHIKE_BACKEND_URL": cfg.backend_url,
            "ZHIKE_HANDOFF_DB_URL": cfg.handoff_db_url,
            "ZHIKE_KB_DB_URL": cfg.kb_db_url,
            # an empty knowledge base starts with the shop's and the school's FAQ
            "ZHIKE_KB_SEED": str(PROJECT_ROOT / "data" / "kb" / "faq.yml"),
            **cfg.extra_env,
        }
        desk_env = {
            **dev_env,
            "ZHIKE_DESK_RASA_TOKEN": cfg.rasa_token,
            "ZHIKE_DESK_DB_URL": cfg.handoff_db_url,
            "ZHIKE_KB_DB_URL": cfg.kb_db_url,
            "ZHIKE_DESK_RASA_URL": cfg.rasa_url,
            # whoever opens the knowledge base first seeds it: staff may write before
            # any customer asks (the action server seeds on its first question)
            "ZHIKE_KB_SEED": client_env["ZHIKE_KB_SEED"],
            "ZHIKE_DESK_COOKIE_SECURE": "0",  # plain http on loopback
            "ZHIKE_BACKEND": "http",  # customer context and tickets of agent assist
            "ZHIKE_BACKEND_URL": cfg.backend_url,
            **analytics_env(cfg),  # the analytics API reads the consumer's tables
            **cfg.extra_env,
        }
        return [
            Service(
                "backend", backend_argv, f"{cfg.backend_url}/health", {**dev_env, **cfg.extra_env}
            ),
            Service(
                "actions",
                [
                    python,
                    "-m",
                    "zhike.servers.action_server",
                    "--actions",
                    "actions",
                    "--host",
                    cfg.host,
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
                    "zhike.tools.launch",
                    "rasa",
                    "run",
                    "--enable-api",
                    # One argument: a random token may start with "-" (token_urlsafe).
                    f"--auth-token={cfg.rasa_token}",
                    "--cors",
                    *cfg.cors,
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
                f"{cfg.rasa_url}/",  # /status needs the token
                # the app channel's push journal lives with the rest of this stack's state
                {
                    **dev_env,
                    "ZHIKE_ACTION_TOKEN": cfg.action_token,
                    "RASA_TELEMETRY_ENABLED": "false",
                    "ZHIKE_APP_PUSH_DB_URL": cfg.app_push_db_url,
                    "ZHIKE_REPLAY_DB_URL": f"sqlite+aiosqlite:///{cfg.state_dir / 'replay.db'}",
                    "ZHIKE_KB_DB_URL": cfg.kb_db_url,  # the knowledge gate of config.yml
                    **cfg.extra_env,
                },
            ),
            Service(
                "desk",
                [
                    python,
                    "-m",
                    "zhike.servers.desk",
                    "--host",
                    cfg.host,
                    "--port",
                    str(cfg.desk_port),
                ],
                f"{cfg.desk_url}/health",
                desk_env,
            ),
            analytics_service(cfg, python, {**dev_env, **cfg.extra_env}),
        ]

    def start(self, timeout: float = 240.0) -> None:
        """Starts every service and waits until all answer their health URL.

        Raises:
            StackError: a service exited or was not ready within ``timeout`` seconds; the
                services already started are stopped first.
        """
        if not self.config.model.exists():
            raise StackError(f"No trained model at {self.config.model}: run `make train`.")
        self.config.check_exposure()
        self._write_token_file()
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

    def _write_token_file(self) -> None:
        """Leaves the Rasa API token where its developer (only) can read it."""
        path = self.config.state_dir / "rasa-token"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(self.config.rasa_token + "\n", encoding="utf-8")

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
