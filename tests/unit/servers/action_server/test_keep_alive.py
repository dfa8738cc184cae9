"""The action server does not close idle connections before its HTTP clients do."""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

import pytest

from .server import action_server

IDLE_SECONDS = 6.0  # more than sanic's default keep-alive timeout of 5 s


@pytest.mark.slow
def test_idle_connections_stay_open_longer_than_sanics_default(tmp_path: Path) -> None:
    with action_server(tmp_path) as server:
        reused = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        reused.request("GET", "/health")
        assert reused.getresponse().read() == b'{"status":"ok"}'
        # a connection opened while the server is busy, whose request comes later
        fresh = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        time.sleep(IDLE_SECONDS)

        reused.request("GET", "/health")
        assert reused.getresponse().status == 200
        fresh.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert fresh.recv(4096).startswith(b"HTTP/1.1 200")
        reused.close()
        fresh.close()
