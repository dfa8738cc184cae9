"""The client contract, run against both adapters: HTTP to the real backend process, and
the in-process client. Same calls, same answers, same refusal codes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone

import pytest

from zhike.lib.backend_client import BackendClient, BackendError, BackendRateLimited
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.backend_client.http import HttpBackendClient

from .backend_process import BackendProcess
from .rest import Api

pytestmark = pytest.mark.integration

CodeOf = Callable[[str], str]


@pytest.fixture(params=["http", "in-process"])
async def adapter(
    request: pytest.FixtureRequest, backend: BackendProcess, api: Api
) -> AsyncIterator[tuple[BackendClient, CodeOf]]:
    """A client on fresh demo data, and how to read the code "sent" to a phone."""
    if request.param == "http":
        http = HttpBackendClient(backend.base_url, api_key=backend.api_key, timeout=5.0)
        yield http, lambda phone: api.codes(phone)[-1]
        await http.aclose()
    else:
        fake = InMemoryBackendClient()
        yield fake, lambda phone: fake.last_code(phone) or ""
        await fake.aclose()


async def _refusal(call: object) -> str | None:
    try:
        await call  # type: ignore[misc]
    except BackendError as error:
        return error.code
    return None


async def test_order_writes_and_their_refusals(adapter: tuple[BackendClient, CodeOf]) -> None:
    client, _ = adapter
    assert await _refusal(client.cancel_order("HP20240001", "C001")) == "order_not_cancellable"
    assert await _refusal(client.cancel_order("HP20240003", "C002")) == "not_found"
    cancelled = await client.cancel_order("HP20240003", "C001")
    assert cancelled.status == "cancelled"
    assert await _refusal(client.request_refund("HP20240003", "C001", "不想要了")) == (
        "refund_not_allowed"
    )
    refund = await client.request_refund("HP20240002", "C001", "商品质量问题")
    assert refund.refund_id.startswith("RF") and refund.amount_fen > 0
    assert await _refusal(client.request_refund("HP20240002", "C001", "再退一次")) == (
        "refund_exists"
    )
    assert await _refusal(
        client.change_address("HP20240001", "C001", "北京市朝阳区建国路93号")
    ) == ("address_not_changeable")
    invoice = await client.request_invoice(
        "HP20240001", "C001", "杭州智客科技有限公司", "electronic_normal", "91350100M000100Y43"
    )
    assert invoice.invoice_id.startswith("IV") and invoice.tax_number == "91350100M000100Y43"
    bad_tax = client.request_invoice("HP20240005", "C002", "某公司", "vat_special", "123")
    assert await _refusal(bad_tax) == "invalid_tax_number"


async def test_school_reads_and_writes(adapter: tuple[BackendClient, CodeOf]) -> None:
    client, _ = adapter
    students = await client.list_students("C001")
    assert [s.name for s in students] == ["张小明"]
    lessons = await client.upcoming_lessons("C001", limit=3)
    assert len(lessons) == 3 and lessons == sorted(lessons, key=lambda lesson: lesson.start_at)
    assert all(lesson.student_name == "张小明" for lesson in lessons)
    first = lessons[0]
    request = await client.request_lesson_change(first.lesson_id, "S001", "C001", "leave")
    assert request.request_id.startswith("LR") and request.status == "pending"
    again = client.request_lesson_change(first.lesson_id, "S001", "C001", "leave")
    assert await _refusal(again) == "request_exists"
    wished = datetime.now(timezone.utc) + timedelta(days=3)
    moved = await client.request_lesson_change(
        lessons[1].lesson_id, "S001", "C001", "reschedule", wished
    )
    assert moved.requested_start_at is not None
    assert abs((moved.requested_start_at - wished).total_seconds()) < 1
    foreign = client.request_lesson_change(first.lesson_id, "S001", "C002", "leave")
    assert await _refusal(foreign) == "not_found"
    enrollment = await client.cancel_enrollment("S001", "CS002", "C001")
    assert enrollment.status == "cancelled"
    customer = await client.set_course_notifications("C001", False)
    assert customer.course_notifications is False


async def test_tickets_are_idempotent_and_private_to_their_customer(
    adapter: tuple[BackendClient, CodeOf],
) -> None:
    client, _ = adapter
    first = await client.create_ticket("complaint", "快递太慢", "C001", "app", "key-1")
    again = await client.create_ticket("complaint", "快递太慢", "C001", "app", "key-1")
    assert first == again and first.ticket_id.startswith("TK")
    assert first.ticket_id in [t.ticket_id for t in await client.list_tickets("C001")]
    assert first.ticket_id not in [t.ticket_id for t in await client.list_tickets("C002")]
    assert await client.get_ticket("TK29999999") is None


async def test_identity_checks_and_binding(adapter: tuple[BackendClient, CodeOf]) -> None:
    client, code_of = adapter
    wrong = await client.check_order_phone("HP20240001", "0000", "rest:someone")
    assert (wrong.verified, wrong.attempts_left) == (False, 4)
    right = await client.check_order_phone("HP20240001", "8001", "rest:someone")
    assert right.verified
    assert await client.get_binding("socketio", "web-1") is None
    await client.request_binding_code("13900139002", "socketio", "web-1")
    assert await _refusal(client.confirm_binding("13900139002", "000000", "socketio", "web-1")) == (
        "invalid_code"
    )
    customer_id = await client.confirm_binding(
        "13900139002", code_of("13900139002"), "socketio", "web-1"
    )
    assert customer_id == "C002" and await client.get_binding("socketio", "web-1") == "C002"


async def test_a_binding_of_a_channel_user_id_with_reserved_characters(
    adapter: tuple[BackendClient, CodeOf],
) -> None:
    # What the WeChat and WeCom channels use as sender ids: "<channel>:<openid / UserID>".
    client, code_of = adapter
    user = "wechat:oE2E-ab_12/3 张"
    await client.request_binding_code("13800138001", "wechat", user)
    assert await client.confirm_binding("13800138001", code_of("13800138001"), "wechat", user)
    assert await client.get_binding("wechat", user) == "C001"
    assert await client.get_binding("wechat", "wechat:oE2E-ab_12") is None


async def test_binding_by_request_id_unbinding_and_limits(
    adapter: tuple[BackendClient, CodeOf],
) -> None:
    client, code_of = adapter
    request_id = await client.request_binding_code("13800138001", "socketio", "web-9")
    assert request_id
    with pytest.raises(BackendRateLimited) as caught:  # one code a minute per phone
        await client.request_binding_code("13800138001", "socketio", "web-10")
    assert caught.value.code == "too_many_codes" and caught.value.status == 429
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60
    code = code_of("13800138001")
    assert await client.confirm_binding(None, code, "socketio", "web-9", request_id=request_id)
    assert await client.get_binding("socketio", "web-9") == "C001"
    assert await client.unbind("socketio", "web-9") is True
    assert await client.get_binding("socketio", "web-9") is None
    assert await client.unbind("socketio", "web-9") is False
    check = await client.check_order_phone("HP20240001", "8001", "web:x", "198.51.100.4")
    assert check.verified
