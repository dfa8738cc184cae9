"""The dashboard's files: its scripts, stylesheet and the vendored Chart.js, served by ``ui``."""

from __future__ import annotations

import re

import pytest

from .conftest import Desk
from .test_static import csp_directives, get

JS = "application/javascript; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/desk/dashboard.js", JS, "/analytics/targets"),
        ("/desk/dashboard-charts.js", JS, "/analytics/trend"),
        ("/desk/dashboard.css", "text/css; charset=utf-8", ".kpi-bad"),
        ("/desk/vendor/chart.umd.js", JS, "Chart.js v4"),
    ],
)
async def test_the_dashboard_files_are_served_with_the_page_headers(
    desk: Desk, path: str, content_type: str, marker: str
) -> None:
    response = await get(desk, path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert marker in response.text
    assert csp_directives(response)["script-src"] == "'self'"


@pytest.mark.parametrize(
    "path",
    [
        "/desk/vendor/chart.js-LICENSE.md",
        "/desk/vendor/nope.js",
        "/desk/vendor/..%2Fdashboard.js",
        "/desk/vendor/%2E%2E%2F%2E%2E%2Fui.py",
        "/desk/chart.umd.js",
    ],
)
async def test_only_listed_vendor_files_are_served(desk: Desk, path: str) -> None:
    assert (await get(desk, path)).status == 404


async def test_the_page_loads_chart_js_from_itself_before_the_dashboard(desk: Desk) -> None:
    page = (await get(desk, "/desk/")).text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert all(src.startswith("/desk/") for src in scripts)  # nothing from a CDN
    order = [scripts.index(f"/desk/{name}") for name in ("desk.js", "dashboard.js")]
    assert order == sorted(order)  # the dashboard routes after desk.js
    assert "/desk/vendor/chart.umd.js" in scripts
    assert 'href="#dashboard"' in page and "数据看板" in page
    assert re.search(r'<a id="tab-dash"[^>]*\shidden>', page)  # shown only to supervisors


@pytest.mark.parametrize("name", ["dashboard.js", "dashboard-charts.js"])
async def test_the_dashboard_scripts_never_write_html(desk: Desk, name: str) -> None:
    script = (await get(desk, f"/desk/{name}")).text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
