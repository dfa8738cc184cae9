"""The desk's single-page web app: ``/desk/`` and its files under ``static/``.

The files are read from ``zhike/servers/desk/static/`` when they are requested (nothing is read at
import time). Only the names in :data:`FILES` are served, so a request path never reaches
the file system; third-party scripts are vendored under ``static/vendor/`` (nothing from a
CDN). The page may load only its own scripts and stylesheets and talk only to its own origin
(the JSON APIs under ``/api/desk/v1`` and ``/api/kb/v1``); it has no inline script or style.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, raw, redirect

from zhike.servers.desk.errors import DeskError

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_PATH = "/desk/"

HTML = "text/html; charset=utf-8"
JS = "application/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"

# The files a browser may ask for by name, with their content types.
FILES = {
    "index.html": HTML,
    "desk-util.js": JS,
    "desk-inbox.js": JS,  # the queue and my conversations
    "desk-conversation.js": JS,  # the timeline, summary, reply, transfer, close
    "desk-customer.js": JS,  # the customer panel
    "desk-tags.js": JS,  # its customer tags (客户画像)
    "desk-assist.js": JS,  # suggested and canned answers
    "desk-live.js": JS,  # the live events, unread count and title, shortcuts
    "desk-history.js": JS,  # 历史会话 and 留言
    "desk-live.css": CSS,
    "desk-supervisor.js": JS,  # 查看 and 转派 of live conversations (supervisors)
    "desk.js": JS,
    "desk.css": CSS,
    "kb-form.js": JS,  # the knowledge-base page (知识库)
    "kb-queue.js": JS,  # its 待完善问题 and 试一试 views
    "kb.js": JS,
    "kb.css": CSS,
    "dashboard.js": JS,  # the supervisors' dashboard (数据看板): live part and KPI targets
    "dashboard-charts.js": JS,  # its charts and tables over a date range
    "dashboard.css": CSS,
    "tags-segments.js": JS,  # the dashboard's 客户分群 panel
    "tags.css": CSS,  # tag chips and the 客户分群 panel
    "vendor/chart.umd.js": JS,  # Chart.js 4 (MIT, see vendor/chart.js-LICENSE.md)
    "qa.js": JS,  # quality inspection (质检 / 我的质检)
    "qa.css": CSS,
}

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def static_file(name: str) -> HTTPResponse:
    """The response serving ``static/<name>``; 404 for a name not in :data:`FILES`."""
    content_type = FILES.get(name)
    if content_type is None:
        raise DeskError(404, "not_found", "no such file")
    body = (STATIC_DIR / name).read_bytes()
    return raw(body, content_type=content_type, headers=dict(HEADERS))


def ui_blueprint() -> Blueprint:
    """``GET /`` and ``GET /desk`` redirect to ``/desk/``, the page; ``/desk/<file>``."""
    blueprint = Blueprint("desk_ui")

    @blueprint.get("/", name="root")
    async def root(request: Request) -> HTTPResponse:
        return redirect(PAGE_PATH)

    @blueprint.get("/desk", name="desk_no_slash", strict_slashes=True)
    async def desk_no_slash(request: Request) -> HTTPResponse:
        return redirect(PAGE_PATH)

    @blueprint.get(PAGE_PATH, name="page", strict_slashes=True)
    async def page(request: Request) -> HTTPResponse:
        return static_file("index.html")

    @blueprint.get("/desk/<name:str>", name="file")
    async def file(request: Request, name: str) -> HTTPResponse:
        if name == "index.html":  # the page has one address
            return redirect(PAGE_PATH)
        return static_file(name)

    @blueprint.get("/desk/vendor/<name:str>", name="vendor_file")
    async def vendor_file(request: Request, name: str) -> HTTPResponse:
        return static_file(f"vendor/{name}")

    return blueprint
