"""A throw-away RabbitMQ node from the system's ``rabbitmq-server``, for the analytics tests.

The node gets its own name, AMQP, distribution and epmd ports (all free loopback ports),
and keeps its database, logs, cookie and config in a temporary directory, so it never
meets another node of the machine. :meth:`RabbitMQServer.stop` stops the node's process
group and the epmd daemon it started (found by its own port), then deletes the directory.
Debian's ``/usr/sbin/rabbitmq-server`` switches to the ``rabbitmq`` user; the real script
in ``/usr/lib/rabbitmq/bin`` runs as the caller, who owns the temporary directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from zhike.tools.process import free_port

DEBIAN_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def find_server() -> str | None:
    """The ``rabbitmq-server`` script to run (``None``: not installed)."""
    if DEBIAN_SERVER.is_file():
        return str(DEBIAN_SERVER)
    return shutil.which("rabbitmq-server")


@dataclass
class RabbitMQServer:
    """A running node: ``url`` to connect, :meth:`stop` to end it."""

    process: subprocess.Popen[bytes]
    base: Path
    port: int
    epmd_port: int

    @property
    def url(self) -> str:
        """The AMQP URL (the default guest user, allowed on loopback)."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def log(self) -> str:
        path = self.base / "server.out"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in _epmd_pids(self.epmd_port):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)


def _epmd_pids(port: int) -> list[int]:
    """The epmd daemons started with ``ERL_EPMD_PORT=port`` (ours only)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if "epmd" not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"ERL_EPMD_PORT={port}".encode() in environ:
            found.append(int(entry.name))
    return found


def start_rabbitmq(server: str, timeout: float = 120) -> RabbitMQServer:
    """Starts a node and waits until its AMQP port accepts connections.

    Raises:
        RuntimeError: the node exited or did not listen within ``timeout`` seconds.
    """
    base = Path(tempfile.mkdtemp(prefix="zhike-rabbitmq-"))
    port, dist_port, epmd_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HOME": str(base),  # the Erlang cookie
        "RABBITMQ_NODENAME": f"zhike-{uuid.uuid4().hex[:10]}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
    }
    with (base / "server.out").open("wb") as out:
        process = subprocess.Popen(
            [server], env=env, cwd=base, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    node = RabbitMQServer(process, base, port, epmd_port)
    deadline = time.monotonic() + timeout
    while not node.ready():
        if process.poll() is not None or time.monotonic() > deadline:
            log = node.log()
            node.stop()
            raise RuntimeError(f"rabbitmq-server did not start:\n{log}")
        time.sleep(0.5)
    return node
