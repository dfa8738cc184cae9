"""Refuse malformed request framing before sanic 21.12's body reader sees it.

sanic 21.12.2 turns ``Content-Length`` into an int with ``int()``: ``-1`` sends its body
reader into an endless loop at 100% CPU (one request stops every channel and the desk
until a restart), ``+5``, ``5_0`` or `` 5`` are accepted, and a value that is no number
at all ends in a 500. zhike answers all of them, and a request carrying both
``Content-Length`` and ``Transfer-Encoding`` (request smuggling) or a transfer coding other
than ``chunked``, with 400 and closes the connection.

The check runs where sanic builds its request object, right after the head is parsed and
before the body is touched; it is installed once per process by
:func:`zhike.servers.serving.harden_process` for every server zhike starts.
"""

from __future__ import annotations

import re
from typing import Any

from sanic.exceptions import InvalidUsage
from sanic.request import Request

# Plain ASCII digits only: not a sign, not "_", not white space, not Unicode digits.
_DIGITS = re.compile(r"[0-9]{1,18}")
_INSTALLED_FLAG = "_zhike_framing_guard"


def framing_problem(headers: Any) -> str | None:
    """Why a request head's body framing is unacceptable (None when it is fine).

    Args:
        headers: sanic's multi-valued header mapping (``getall`` per lower-case name).
    """
    lengths = headers.getall("content-length", [])
    codings = headers.getall("transfer-encoding", [])
    if lengths and codings:
        return "Content-Length and Transfer-Encoding must not be sent together"
    if len(lengths) > 1:
        return "more than one Content-Length"
    if lengths and not _DIGITS.fullmatch(lengths[0]):
        return "Content-Length must be a plain non-negative number"
    if len(codings) > 1 or (codings and codings[0].strip().lower() != "chunked"):
        return "only Transfer-Encoding: chunked is supported"
    return None


def install_framing_guard() -> None:
    """Makes every sanic request of this process check its framing (idempotent)."""
    if getattr(Request, _INSTALLED_FLAG, False):
        return
    original_init = Request.__init__

    def guarded_init(self: Request, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        problem = framing_problem(self.headers)
        if problem is not None:
            # Raised while sanic parses the head: it answers 400 and closes the
            # connection without reading a body.
            raise InvalidUsage(f"Bad Request: {problem}")

    Request.__init__ = guarded_init  # type: ignore[method-assign]
    setattr(Request, _INSTALLED_FLAG, True)
