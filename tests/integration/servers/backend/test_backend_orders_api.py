"""The real backend process, read through HttpBackendClient: seeded orders and customers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from zhike.lib.backend_client import BackendError, BackendUnavailable, Order
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

pytestmark = pytest.mark.integration

SEEDED = ("HP20240001", "HP20240002", "HP20240003", "HP20240004", "HP20240005")


async def test_seeded_shipped_order(client: HttpBackendClient) -> None:
    order = await client.get_order("HP20240001")
    assert order is not None
    assert (order.order_id, order.customer_id, order.status) == ("HP20240001", "C001", "shipped")
    assert order.phone == "13800138001" and order.recipient == "张伟"
    assert order.shipping_address.startswith("上海市浦东新区")
    assert order.items and order.amount_fen == sum(item.subtotal_fen for item in order.items)
    assert order.created_at is not None and order.created_at.tzinfo == timezone.utc


async def test_sf_logistics_with_tracking_events(client: HttpBackendClient) -> None:
    logistics = await client.get_logistics("HP20240001")
    assert logistics is not None
    assert logistics.courier == "顺丰" and logistics.tracking_number == "SF1234567890"
    assert logistics.status == "in_transit"
    assert len(logistics.events) >= 3
    times = [event.time for event in logistics.events]
    assert times == sorted(times)
    now = datetime.now(timezone.utc)
    assert times[-1] <= now
    assert logistics.eta is not None and logistics.eta > now
    order = await client.get_order("HP20240001")
    assert order is not None and order.logistics == logistics  # embedded in the order too


async def test_other_seeded_statuses(client: HttpBackendClient) -> None:
    delivered = await client.get_order("HP20240002")
    assert delivered is not None and delivered.status == "delivered"
    assert delivered.logistics is not None and delivered.logistics.latest_event is not None
    assert "已签收" in delivered.logistics.latest_event.description

    paid = await client.get_order("hp20240003")
    assert paid is not None and paid.status == "paid" and paid.logistics is None
    assert await client.get_logistics("HP20240003") is None  # not shipped yet

    refunding = await client.get_order("HP20240004")
    assert refunding is not None and refunding.status == "refunding"
    assert len(refunding.refunds) == 1 and refunding.refunds[0].status == "processing"

    zto = await client.get_logistics("HP20240005")
    assert zto is not None and (zto.courier, zto.tracking_number) == ("中通", "ZT9876543210")


async def test_lower_case_id_is_normalised(client: HttpBackendClient) -> None:
    order = await client.get_order("  hp20240002 ")
    assert order is not None and order.order_id == "HP20240002"


async def test_unknown_order_is_none(client: HttpBackendClient) -> None:
    assert await client.get_order("HP20249999") is None
    assert await client.get_logistics("HP20249999") is None


@pytest.mark.parametrize("bad", ["HP2024", "XX20240001", "HP202400011", "HP2024000A", "订单1"])
async def test_bad_order_id_is_backend_error(client: HttpBackendClient, bad: str) -> None:
    with pytest.raises(BackendError) as caught:
        await client.get_order(bad)
    assert not isinstance(caught.value, BackendUnavailable)
    assert caught.value.status == 400 and caught.value.code == "invalid_order_id"
    assert "HP" in caught.value.message


async def test_customer_orders(client: HttpBackendClient) -> None:
    c002 = await client.list_orders("C002")
    assert c002 is not None and [order.order_id for order in c002] == ["HP20240005"]
    c001 = await client.list_orders("c001")
    # the four newest; older demo orders exercise the after-sales capabilities
    assert c001 is not None and sorted(o.order_id for o in c001[:4]) == list(SEEDED[:4])
    created = [order.created_at for order in c001 if order.created_at is not None]
    assert len(created) == len(c001)
    assert created == sorted(created, reverse=True)
    assert await client.list_orders("C999") is None
    with pytest.raises(BackendError) as caught:
        await client.list_orders("customer-1")
    assert caught.value.status == 400


async def test_customers(client: HttpBackendClient) -> None:
    zhang = await client.get_customer("C001")
    assert zhang is not None and (zhang.name, zhang.phone, zhang.vip) == (
        "张伟",
        "13800138001",
        True,
    )
    li = await client.get_customer("C002")
    assert li is not None and (li.name, li.phone, li.vip) == ("李娜", "13900139002", False)
    assert await client.get_customer("C404") is None


def _timeless(order: Order) -> Order:
    """The order without timestamps (the fake and the server seed at different moments)."""
    logistics = order.logistics
    if logistics is not None:
        logistics = replace(
            logistics,
            eta=None,
            events=tuple(replace(e, time=None) for e in logistics.events),  # type: ignore[arg-type]
        )
    refunds = tuple(replace(r, created_at=None, updated_at=None) for r in order.refunds)
    invoices = tuple(replace(i, created_at=None) for i in order.invoices)
    return replace(
        order,
        created_at=None,
        updated_at=None,
        logistics=logistics,
        refunds=refunds,
        invoices=invoices,
    )


async def test_fake_client_agrees_with_real_backend(client: HttpBackendClient) -> None:
    fake = InMemoryBackendClient()
    for order_id in SEEDED:
        real, faked = await client.get_order(order_id), await fake.get_order(order_id)
        assert real is not None and faked is not None
        assert _timeless(real) == _timeless(faked)
    for customer_id in ("C001", "C002"):
        assert await client.get_customer(customer_id) == await fake.get_customer(customer_id)
        real_list = await client.list_orders(customer_id)
        fake_list = await fake.list_orders(customer_id)
        assert real_list is not None and fake_list is not None
        assert [o.order_id for o in real_list] == [o.order_id for o in fake_list]
