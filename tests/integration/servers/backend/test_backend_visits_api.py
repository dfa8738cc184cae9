"""The visit routes of the real backend process: options, booking, refusals, change, cancel."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zhike.lib.backend_client import BackendError
from zhike.lib.backend_client.http import HttpBackendClient

from .rest import Api, error_of

pytestmark = pytest.mark.integration

CHINA = timezone(timedelta(hours=8))


def day(offset: int) -> str:
    return (datetime.now(CHINA).date() + timedelta(days=offset)).isoformat()


def test_options_need_the_owner(api: Api) -> None:
    options = api.ok("GET", "/orders/HP20241401/visit-options?customer_id=C001")
    assert options["items"][0]["installable"] is True and options["free_slots"]
    assert error_of(api.get("/orders/HP20241401/visit-options?customer_id=C002")) == (
        404,
        "not_found",
    )
    assert error_of(api.get("/orders/HP20241401/visit-options"))[0] == 400


def test_book_change_and_cancel(api: Api) -> None:
    body = {"customer_id": "C001", "kind": "install", "date": day(1), "period": "pm"}
    visit = api.ok("POST", "/orders/HP20241401/visits", body, status=201)
    assert visit["visit_id"].startswith("SV") and visit["status"] == "booked"
    assert error_of(api.post("/orders/HP20241401/visits", body)) == (409, "visit_exists")
    path = f"/visits/{visit['visit_id']}"
    moved = api.ok("PUT", f"{path}/slot", {"customer_id": "C001", "date": day(2), "period": "am"})
    assert (moved["date"], moved["period"]) == (day(2), "am")
    assert error_of(api.post(f"{path}/cancel", {"customer_id": "C002"})) == (404, "not_found")
    assert api.ok("POST", f"{path}/cancel", {"customer_id": "C001"})["status"] == "cancelled"
    listed = api.ok("GET", "/customers/C001/visits?order_id=HP20241401")["visits"]
    assert [v["status"] for v in listed] == ["cancelled"]


@pytest.mark.parametrize(
    ("order_id", "body", "expected"),
    [
        ("HP20241403", {"kind": "install", "date": day(1), "period": "am"},
         (409, "not_installable")),
        ("HP20241404", {"kind": "repair", "date": day(1), "period": "am", "problem": "没画面"},
         (409, "out_of_warranty")),
        ("HP20241401", {"kind": "install", "date": day(3), "period": "am"}, (409, "slot_full")),
        ("HP20241401", {"kind": "install", "date": day(1), "period": "night"},
         (422, "invalid_period")),
        ("HP20241401", {"kind": "install", "date": day(30), "period": "am"},
         (422, "invalid_date")),
        ("HP20241401", {"kind": "fix", "date": day(1), "period": "am"}, (422, "invalid_kind")),
    ],
)  # fmt: skip
def test_refusals(api: Api, order_id: str, body: dict, expected: tuple[int, str]) -> None:
    response = api.post(f"/orders/{order_id}/visits", {"customer_id": "C001", **body})
    assert error_of(response) == expected


async def test_the_http_client_reads_the_real_routes(api: Api, client: HttpBackendClient) -> None:
    options = await client.visit_options("HP20241402", "C001")
    assert options.items[0].install_visit_id == "SV20240001"
    [visit] = await client.list_visits("C001", "HP20241402")
    assert visit.engineer == "王建国" and visit.status == "assigned"
    with pytest.raises(BackendError) as caught:
        await client.book_visit("HP20241401", "C002", "install", options.earliest, "am")
    assert caught.value.code == "not_found"
