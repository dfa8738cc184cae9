"""The widget's browser files, read from ``zhike/channels/web/static/`` when they are requested.

``widget.js``, the one script a company site embeds, is assembled per request from the
vendored socket.io client (``static/vendor/socket.io.min.js``), the server's settings
(socket.io path, event names, metadata key) and the widget code (``static/widget-ui.js``:
the DOM; ``static/widget-store.js``: the conversation kept in localStorage;
``static/widget.js``: connection, messages, API), all inside one function scope:
the page gets no global but ``window.ZhikeChat``, and a page's own ``io`` or AMD loader
neither breaks the widget nor is replaced by it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_SOCKET_IO = "vendor/socket.io.min.js"

JS = "application/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
HTML = "text/html; charset=utf-8"

# The widget page loads only its own files and talks only to its own origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)

_SOURCE_MAP = "//# sourceMappingURL=socket.io.min.js.map"


@dataclass(frozen=True)
class Asset:
    """A file served to browsers.

    Attributes:
        body: the bytes to send.
        content_type: the ``Content-Type`` header value.
    """

    body: bytes
    content_type: str


def read_text(name: str) -> str:
    """A UTF-8 file of ``static/`` (``name`` is a fixed name, never a request path)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def page() -> Asset:
    """The full-window chat page (``chat.html``)."""
    return Asset(read_text("chat.html").encode("utf-8"), HTML)


def stylesheet() -> Asset:
    """The widget's stylesheet (``widget.css``)."""
    return Asset(read_text("widget.css").encode("utf-8"), CSS)


def widget_script(server: Mapping[str, Any]) -> Asset:
    """The embeddable script: socket.io client + server settings + widget, one scope.

    Args:
        server: settings the widget needs to talk to this server (JSON-serialisable),
            available to the widget code as ``ZHIKE_SERVER``.
    """
    vendor = read_text(VENDOR_SOCKET_IO).replace(_SOURCE_MAP, "")
    settings = json.dumps(dict(server), ensure_ascii=True, sort_keys=True).replace("<", "\\u003c")
    body = "\n".join(
        [
            "/*! zhike (智客) web chat widget; includes socket.io-client (MIT license). */",
            "(function () {",
            "var module = { exports: {} }, exports = module.exports, define = undefined;",
            vendor,
            "var io = module.exports;",
            f"var ZHIKE_SERVER = {settings};",
            read_text("widget-ui.js"),
            read_text("widget-store.js"),
            read_text("widget.js"),
            "})();",
            "",
        ]
    )
    return Asset(body.encode("utf-8"), JS)
