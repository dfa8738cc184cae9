"""Let a client that sent too large a body read its 413 before the connection closes.

sanic 21.12 answers a body over ``REQUEST_MAX_SIZE`` with 413 and closes the connection
at once, with the rest of the body still arriving. Closing a socket that holds unread
data makes the kernel send a TCP reset, and a client still uploading (a webhook relay, a
widget pasting a huge text) then sees "connection reset by peer" instead of the 413: on a
loaded machine this happens more often than not. zhike closes the way nginx does
("lingering close"): after the 413 it reads and discards what the client still sends,
for at most :data:`DRAIN_SECONDS` and :data:`DRAIN_MAX_BYTES`, and closes once the
declared body has arrived, the client stops sending, or a limit is reached.

Installed once per process by :func:`zhike.servers.serving.harden_process`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sanic.http import Http

__all__ = ["DRAIN_MAX_BYTES", "DRAIN_SECONDS", "install_lingering_close"]

DRAIN_SECONDS = 3.0
QUIET_SECONDS = 1.0  # a client that sends nothing for this long has finished or stalled
DRAIN_MAX_BYTES = 32 * 1024 * 1024
_INSTALLED_FLAG = "_zhike_lingering_close"


async def drain_unread_body(
    http: Any, seconds: float = DRAIN_SECONDS, max_bytes: int = DRAIN_MAX_BYTES
) -> int:
    """Reads and discards the body a refused request is still sending.

    It stops when the declared length has arrived, a chunked body's last chunk is seen,
    the client is quiet for :data:`QUIET_SECONDS`, or a limit is reached.

    Args:
        http: sanic's per-connection :class:`~sanic.http.Http` after its request loop ended.
        seconds: the longest the client is waited for.
        max_bytes: the most bytes read before giving up.

    Returns:
        How many bytes were discarded.
    """
    protocol = http.protocol
    declared = http.request_bytes_left if http.request_body is True else None
    if declared is not None and declared > max_bytes:
        return 0  # absurd sizes are not worth the wait: close (and reset) at once
    limit = declared if declared is not None else max_bytes
    buffer = http.recv_buffer
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    discarded = 0
    ended = False
    while protocol.transport is not None:
        # a chunked body ends with an empty chunk (trailers are not expected here)
        ended = declared is None and bytes(buffer[-5:]) == b"0\r\n\r\n"
        discarded += len(buffer)
        buffer.clear()
        remaining = deadline - loop.time()
        if discarded >= limit or remaining <= 0 or ended:
            break
        try:
            await asyncio.wait_for(http._receive_more(), min(remaining, QUIET_SECONDS))
        except asyncio.TimeoutError:
            break
    return discarded


def install_lingering_close() -> None:
    """Makes every sanic HTTP/1 connection of this process close lingeringly (idempotent)."""
    if getattr(Http, _INSTALLED_FLAG, False):
        return
    original_http1 = Http.http1

    async def http1_then_drain(self: Http) -> None:
        await original_http1(self)
        # The loop ends with the body unread only when sanic refused it (413) or an
        # error answer closed the connection while the client was still sending.
        if self.request_body and not self.keep_alive and self.protocol.transport is not None:
            await drain_unread_body(self)

    Http.http1 = http1_then_drain  # type: ignore[method-assign]
    setattr(Http, _INSTALLED_FLAG, True)
