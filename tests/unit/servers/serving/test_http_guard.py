"""A real sanic server hardened by zhike refuses malformed framing and stays healthy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import httpx
import pytest

from zhike.tools.stack import PROJECT_ROOT, free_port

SERVER = """
import sys
from sanic import Sanic
from sanic.response import json
from zhike.servers.serving import harden_process

harden_process(max_body=64 * 1024)
app = Sanic("guarded")

@app.get("/health")
async def health(request):
    return json({"status": "ok"})

@app.post("/echo")
async def echo(request):
    return json({"bytes": len(request.body)})

app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        cwd=PROJECT_ROOT,
        # sanic reads SANIC_* settings from the environment: the test's limits only
        env={k: v for k, v in os.environ.items() if not k.startswith("SANIC_")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the hardened test server did not start")
    yield port
    process.terminate()
    process.wait(timeout=10)


def raw(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Sends raw bytes and returns everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
        return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0


def still_healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
        return response.status == 200


@pytest.mark.parametrize(
    "value", [b"-1", b"+5", b"5_0", b" 5x", b"abc", b"\xd9\xa3", b"99999999999999999999"]
)
def test_a_content_length_that_is_not_plain_digits_is_refused(server: int, value: bytes) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + b"\r\n\r\nhello"
    answer = raw(server, head)
    assert status_of(answer) == 400, answer[:200]
    assert still_healthy(server)


def test_two_lengths_or_length_with_chunked_are_refused(server: int) -> None:
    both = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    assert status_of(raw(server, both)) == 400
    twice = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
    )
    assert status_of(raw(server, twice)) == 400
    assert still_healthy(server)


def test_a_normal_request_still_works_and_a_large_one_gets_413(server: int) -> None:
    ok = raw(
        server,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
    )
    assert status_of(ok) == 200 and b'"bytes":5' in ok
    # the head alone: the limit is checked before any of the body is read
    big = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (128 * 1024)
    assert status_of(raw(server, big)) == 413
    assert still_healthy(server)


def test_a_client_uploading_a_too_large_body_reads_its_413_instead_of_a_reset(
    server: int,
) -> None:
    body = b'{"message": "' + "我".encode() * 4_000_000 + b'"}'  # 12 MB, the limit is 64 KB
    for _ in range(8):
        answer = httpx.post(f"http://127.0.0.1:{server}/echo", content=body, timeout=10)
        assert answer.status_code == 413
    chunked = httpx.post(
        f"http://127.0.0.1:{server}/echo", content=iter([body[:1_000_000], body[1_000_000:]])
    )
    assert chunked.status_code == 413
    assert still_healthy(server)
