"""InMemoryBackendClient: the demo data set, the same rules as the real backend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zhike.lib.backend_client import (
    ORDER_STATUSES,
    BackendClient,
    BackendError,
    BackendUnavailable,
    OrdersClient,
)
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.servers.backend.demo_data import build_demo_data

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def client() -> InMemoryBackendClient:
    return InMemoryBackendClient(now=NOW)


def test_implements_the_interfaces(client: InMemoryBackendClient) -> None:
    assert isinstance(client, BackendClient)
    assert isinstance(client, OrdersClient)


async def test_shipped_order_with_sf_logistics(client: InMemoryBackendClient) -> None:
    order = await client.get_order("HP20240001")
    assert order is not None
    assert (order.customer_id, order.status, order.phone) == ("C001", "shipped", "13800138001")
    assert order.shipping_address.startswith("上海市浦东新区")
    assert order.amount_fen == sum(item.subtotal_fen for item in order.items) > 0
    assert order.logistics is not None
    assert (order.logistics.courier, order.logistics.tracking_number) == ("顺丰", "SF1234567890")
    assert len(order.logistics.events) >= 3
    times = [event.time for event in order.logistics.events]
    assert times == sorted(times) and times[-1] <= NOW
    assert order.logistics.eta is not None and order.logistics.eta > NOW
    assert await client.get_logistics("HP20240001") == order.logistics


async def test_every_seeded_order(client: InMemoryBackendClient) -> None:
    delivered = await client.get_order("HP20240002")
    assert delivered is not None and delivered.status == "delivered"
    assert delivered.logistics is not None and delivered.logistics.latest_event is not None
    assert "已签收" in delivered.logistics.latest_event.description

    paid = await client.get_order("HP20240003")
    assert paid is not None and paid.status == "paid" and paid.logistics is None
    assert await client.get_logistics("HP20240003") is None

    refunding = await client.get_order("HP20240004")
    assert refunding is not None and refunding.status == "refunding"
    assert [refund.status for refund in refunding.refunds] == ["processing"]

    other = await client.get_order("HP20240005")
    assert other is not None and other.customer_id == "C002"
    assert other.logistics is not None
    assert (other.logistics.courier, other.logistics.tracking_number) == ("中通", "ZT9876543210")

    for order_id in ("HP20240001", "HP20240002", "HP20240003", "HP20240004", "HP20240005"):
        order = await client.get_order(order_id)
        assert order is not None and order.status in ORDER_STATUSES and order.items


async def test_ids_are_normalised_and_validated(client: InMemoryBackendClient) -> None:
    order = await client.get_order(" hp20240001 ")
    assert order is not None and order.order_id == "HP20240001"
    assert await client.get_order("HP20249999") is None
    for bad in ("HP2024", "XX20240001", "HP202400011", ""):
        with pytest.raises(BackendError) as caught:
            await client.get_order(bad)
        assert caught.value.code == "invalid_order_id" and caught.value.status == 400
    with pytest.raises(BackendError):
        await client.list_orders("C-1")


async def test_customers_and_their_orders(client: InMemoryBackendClient) -> None:
    zhang = await client.get_customer("c001")
    assert zhang is not None
    assert (zhang.name, zhang.phone, zhang.vip) == ("张伟", "13800138001", True)
    li = await client.get_customer("C002")
    assert li is not None and (li.name, li.phone) == ("李娜", "13900139002")
    assert await client.get_customer("C999") is None

    c002 = await client.list_orders("C002")
    assert c002 is not None and [order.order_id for order in c002] == ["HP20240005"]
    c001 = await client.list_orders("C001")
    assert c001 is not None
    # the four newest; older demo orders exercise the after-sales capabilities
    assert sorted(o.order_id for o in c001[:4]) == [f"HP2024000{i}" for i in range(1, 5)]
    created = [o.created_at for o in c001 if o.created_at is not None]
    assert len(created) == len(c001)
    assert created == sorted(created, reverse=True)  # newest first, like the server
    assert await client.list_orders("C999") is None


async def test_unavailable_switch_and_call_log(client: InMemoryBackendClient) -> None:
    await client.get_order("HP20240001")
    client.unavailable = True
    with pytest.raises(BackendUnavailable):
        await client.get_order("HP20240001")
    with pytest.raises(BackendUnavailable):
        await client.list_orders("C001")
    assert client.calls == [
        ("get_order", "HP20240001"),
        ("get_order", "HP20240001"),
        ("list_orders", "C001"),
    ]
    await client.aclose()


def test_demo_data_is_relative_to_now() -> None:
    data = build_demo_data(NOW)
    math = [lesson for lesson in data["lessons"] if lesson["course_id"] == "CS001"]
    future = [lesson for lesson in math if lesson["start_at"] > NOW]
    assert future and all(lesson["teacher"] == "王老师" for lesson in math)
    assert min(lesson["start_at"] for lesson in future) - NOW < timedelta(days=7)
    assert all(lesson["start_at"].tzinfo is not None for lesson in data["lessons"])
    courses = {course["name"]: course for course in data["courses"]}
    assert courses["初二数学（秋季班）"]["teacher"] == "王老师"
    assert courses["英语阅读提高班"]["teacher"] != "王老师"
    students = {student["id"]: student for student in data["students"]}
    assert students["S001"] == {
        "id": "S001",
        "customer_id": "C001",
        "name": "张小明",
        "grade": "初二",
    }
    assert students["S002"]["customer_id"] == "C002"  # a second family, for isolation tests
    zhang_xiaoming = {e["course_id"] for e in data["enrollments"] if e["student_id"] == "S001"}
    assert zhang_xiaoming == {"CS001", "CS002"}
    assert build_demo_data(NOW) == data  # deterministic for a given now


def test_naive_now_is_utc() -> None:
    naive = build_demo_data(NOW.replace(tzinfo=None))
    assert naive == build_demo_data(NOW)
