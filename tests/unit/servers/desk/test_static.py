"""The desk's web app: ``/desk/`` and its files, read from ``zhike/servers/desk/static/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhike.servers.desk import ui

from .conftest import Desk


async def get(desk: Desk, path: str, method: str = "GET") -> Any:
    client = desk.app.asgi_client
    client.cookies.clear()
    _, response = await client.request(method, path, follow_redirects=False)
    return response


def csp_directives(response: Any) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    pairs = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/desk/", "text/html; charset=utf-8", "坐席工作台"),
        ("/desk/desk.js", "application/javascript; charset=utf-8", "textContent"),
        ("/desk/desk.css", "text/css; charset=utf-8", ".transcript"),
        ("/desk/kb.js", "application/javascript; charset=utf-8", "/api/kb/v1"),
        ("/desk/kb-form.js", "application/javascript; charset=utf-8", "待审核"),
        ("/desk/kb-queue.js", "application/javascript; charset=utf-8", "/unanswered"),
        ("/desk/kb.css", "text/css; charset=utf-8", ".kb-list"),
    ],
)
async def test_the_page_and_its_files_have_their_content_types(
    desk: Desk, path: str, content_type: str, marker: str
) -> None:
    response = await get(desk, path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert marker in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_page_has_a_strict_csp_and_no_inline_script(desk: Desk) -> None:
    response = await get(desk, "/desk/")
    directives = csp_directives(response)
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all('src="/desk/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+=", response.text)  # no inline event handlers
    assert "<style" not in response.text and not re.search(r"\sstyle=", response.text)


async def test_the_page_loads_every_file_it_names_and_reaches_the_knowledge_base(
    desk: Desk,
) -> None:
    page = (await get(desk, "/desk/")).text
    names = re.findall(r'(?:src|href)="/desk/([^"]+)"', page)
    assert {"kb.js", "kb-form.js", "kb-queue.js", "kb.css"} <= set(names)
    for name in names:
        assert (await get(desk, f"/desk/{name}")).status == 200, name
    assert 'href="#kb"' in page and "知识库" in page


@pytest.mark.parametrize("name", ["desk.js", "desk-util.js", "kb.js", "kb-form.js", "kb-queue.js"])
async def test_the_script_never_writes_html(desk: Desk, name: str) -> None:
    script = (await get(desk, f"/desk/{name}")).text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


@pytest.mark.parametrize("path", ["/", "/desk", "/desk/index.html"])
async def test_the_other_addresses_redirect_to_the_page(desk: Desk, path: str) -> None:
    response = await get(desk, path)
    assert response.status in (301, 302, 307, 308)
    assert response.headers["location"] == "/desk/"


@pytest.mark.parametrize(
    "path",
    [
        "/desk/nope.js",
        "/desk/ui.py",
        "/desk/..%2Fui.py",
        "/desk/%2E%2E%2F%2E%2E%2Fconfig.py",
        "/desk/../app.py",
        "/desk/static/desk.js",
        "/desk/..%5Cui.py",
    ],
)
async def test_unknown_files_and_path_traversal_are_404(desk: Desk, path: str) -> None:
    response = await get(desk, path)
    assert response.status == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "import" not in response.text


async def test_files_are_read_when_requested(
    desk: Desk, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "desk.css").write_text("body { color: red; }", encoding="utf-8")
    monkeypatch.setattr(ui, "STATIC_DIR", tmp_path)
    response = await get(desk, "/desk/desk.css")
    assert response.text == "body { color: red; }"


async def test_the_page_needs_no_session_but_the_api_still_does(desk: Desk) -> None:
    assert (await get(desk, "/desk/")).status == 200
    response = await get(desk, "/api/desk/v1/me")
    assert response.status == 401
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
