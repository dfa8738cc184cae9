"""The company app backend's push callback, as a real HTTP server in the test process."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from zhike.channels.app.push import verify_signature


class PushReceiver:
    """Records the pushes Rasa's app channel sends; fails the first ``fail_next`` of them.

    Args:
        port: the loopback port (fixed before the stack starts, which reads the URL).
        secret: the push secret the stack signs with.
    """

    def __init__(self, port: int, secret: str) -> None:
        self.url = f"http://127.0.0.1:{port}/push"
        self.secret = secret
        self.fail_next = 0
        self.received: list[dict[str, Any]] = []  # verified, accepted bodies
        self.attempts = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._handle(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handle(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            self.attempts += 1
            if not verify_signature(self.secret, headers, body):
                return 401
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            self.received.append(json.loads(body))
            return 200

    def start(self) -> None:
        """Starts serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stops serving."""
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forgets what was received."""
        with self._lock:
            self.received.clear()
            self.attempts = 0
            self.fail_next = 0

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The accepted pushes once there are ``count`` of them (or what came by ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        with self._lock:
            return list(self.received)
