"""A throw-away PostgreSQL server from the system's binaries, for the backend tests.

``initdb`` a cluster in a temporary directory, start it with ``pg_ctl`` on a free loopback
port (socket in the same directory, trust authentication, no fsync), stop and delete it
afterwards. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` system user (``runuser``), which Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .backend_process import free_port

DB_USER = "zhike"
DB_NAME = "zhike"


def find_bin_dir() -> Path | None:
    """The directory with ``initdb`` and ``pg_ctl``: Debian's newest, else from PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    for candidate in reversed(debian):
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def run_as() -> list[str] | None:
    """The command prefix to run the server as a non-root user ([] when not root).

    ``None`` when running as root without a ``postgres`` user or ``runuser``.
    """
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else None


@dataclass
class PostgresServer:
    """A running server; :meth:`stop` stops it and deletes its files."""

    bin_dir: Path
    base: Path
    port: int
    prefix: list[str]

    @property
    def url(self) -> str:
        """The SQLAlchemy async URL of the test database."""
        return f"postgresql+asyncpg://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def log(self) -> str:
        path = self.base / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            [*self.prefix, *args],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=self.base,
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast",
                      "-w", "stop")  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_postgres(bin_dir: Path, prefix: list[str]) -> PostgresServer:
    """Creates a cluster and a database ``zhike`` owned by ``zhike``; returns the server."""
    base = Path(tempfile.mkdtemp(prefix="zhike-pg-"))
    if prefix:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bin_dir, base, free_port(), prefix)
    data = str(base / "data")
    try:
        server._run(str(bin_dir / "initdb"), "-D", data, "-U", DB_USER, "--auth=trust",
                    "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        server._run(str(bin_dir / "pg_ctl"), "-D", data, "-l", str(base / "server.log"),
                    "-o", options, "-w", "-t", "60", "start")  # fmt: skip
        server._run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(server.port),
                    "-U", DB_USER, DB_NAME)  # fmt: skip
    except subprocess.CalledProcessError as error:
        log = server.log()
        server.stop()
        raise RuntimeError(
            f"PostgreSQL did not start: {error.cmd}\n{error.stderr.decode(errors='replace')}\n{log}"
        ) from error
    return server


def postgres_or_skip() -> Iterator[PostgresServer]:
    """A module fixture's body: a running server, stopped afterwards; skips without one."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's "
            "postgresql package (scripts/install-system-packages.sh) to run these tests"
        )
    prefix = run_as()
    if prefix is None:
        pytest.skip("running as root without a 'postgres' user and runuser to start PostgreSQL")
    server = start_postgres(bin_dir, prefix)
    yield server
    server.stop()
