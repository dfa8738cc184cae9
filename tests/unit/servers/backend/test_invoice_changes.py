"""The invoice-change rules of the reference backend (over the seeded demo data)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.servers.backend.db import Database
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.invoice_documents import order_invoices_json
from zhike.servers.backend.seed import seed_if_empty
from zhike.servers.backend.services import invoice_changes

NOW = datetime(2024, 11, 25, 6, 0, tzinfo=timezone.utc)
COMPANY = {"title": "杭州智客科技有限公司", "tax_number": "91350100m000100y43"}
VAT = {
    "registered_address": "上海市浦东新区张江路 88 号",
    "registered_phone": "021-58888888",
    "bank_name": "招商银行上海张江支行",
    "bank_account": "6214 8312 3456 7890",
}
MAIL = {"mail_address": "北京市朝阳区建国路 93 号 1505 室", "mail_recipient": "张伟"}


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite:///:memory:")
    await database.create_tables()
    await seed_if_empty(database, now=NOW)
    yield database
    await database.dispose()


async def change(db: Database, order_id: str, kind: str, fields: dict[str, Any]) -> Any:
    async def work(session: AsyncSession) -> Any:
        made = await invoice_changes.change_invoice(
            session, order_id, "C001", kind, fields, now=NOW
        )
        return made.id, made.kind, json.loads(made.before), json.loads(made.after)

    return await db.run(work)


async def status(db: Database, order_id: str, customer_id: str = "C001") -> dict[str, Any]:
    async with db.session() as session:
        order, changes = await invoice_changes.order_invoices(session, order_id, customer_id)
        return order_invoices_json(order, changes)


async def refused(db: Database, order_id: str, kind: str, fields: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await change(db, order_id, kind, fields)
    return caught.value


async def test_a_personal_title_becomes_a_company_once_and_the_history_is_kept(
    db: Database,
) -> None:
    change_id, kind, before, after = await change(db, "HP20241101", "title", COMPANY)
    assert change_id.startswith("IC") and kind == "title"
    assert before["title"] == "个人" and after["tax_number"] == "91350100M000100Y43"
    doc = await status(db, "HP20241101")
    [invoice] = doc["invoices"]
    assert invoice["status"] == "reissuing" and invoice["title_changes"] == 1
    assert [c["change_id"] for c in invoice["changes"]] == [change_id]
    again = await refused(db, "HP20241101", "title", {"title": "个人"})
    assert again.code == "title_change_used" and "只能修改一次" in again.message


async def test_a_company_title_needs_a_valid_tax_number(db: Database) -> None:
    error = await refused(
        db, "HP20241101", "title", {**COMPANY, "tax_number": "91350100M000100Y44"}
    )
    assert error.code == "invalid_tax_number" and "18 位" in error.message
    missing = await refused(db, "HP20241101", "title", {"title": "杭州智客科技有限公司"})
    assert missing.code == "invalid_tax_number"


async def test_a_title_changed_once_cannot_change_again(db: Database) -> None:
    error = await refused(db, "HP20241102", "title", {"title": "个人"})
    assert error.status_code == 409 and error.code == "title_change_used"
    doc = await status(db, "HP20241102")
    assert "只能修改一次" in doc["refusals"]["title"]
    assert doc["invoices"][0]["changes"][0]["change_id"] == "IC20241101"


async def test_a_vat_invoice_needs_the_bank_and_address_details(db: Database) -> None:
    error = await refused(db, "HP20241103", "vat_special", {"registered_address": "上海"})
    assert error.code == "vat_details_missing"
    assert "开户银行" in error.message and "银行账号" in error.message
    _, _, before, after = await change(db, "HP20241103", "vat_special", VAT)
    assert before["type"] == "electronic_normal" and after["type"] == "vat_special"
    assert after["bank_account"] == "6214831234567890"


async def test_a_vat_invoice_is_not_for_a_personal_title(db: Database) -> None:
    error = await refused(db, "HP20241101", "vat_special", VAT)
    assert error.code == "vat_needs_company" and "个人" in error.message


async def test_a_paper_invoice_needs_a_mailing_address_recipient_and_phone(
    db: Database,
) -> None:
    error = await refused(db, "HP20241101", "paper", MAIL)
    assert error.code == "mailing_incomplete" and "手机号" in error.message
    await change(db, "HP20241101", "paper", {**MAIL, "mail_phone": "138-0013-8001"})
    [invoice] = (await status(db, "HP20241101"))["invoices"]
    assert invoice["medium"] == "paper" and invoice["mail_phone"] == "13800138001"
    same = await refused(db, "HP20241103", "electronic", {})
    assert same.code == "same_medium"


async def test_a_cancelled_order_and_an_order_without_invoice_cannot_change(
    db: Database,
) -> None:
    cancelled = await refused(db, "HP20241105", "title", COMPANY)
    assert cancelled.code == "invoice_not_changeable" and "已取消" in cancelled.message
    none = await refused(db, "HP20241106", "title", COMPANY)
    assert none.code == "no_invoice"
    assert (await status(db, "HP20241106"))["invoices"] == []


async def test_another_customers_order_is_not_found(db: Database) -> None:
    async def work(session: AsyncSession) -> Any:
        return await invoice_changes.change_invoice(
            session, "HP20241101", "C002", "title", COMPANY, now=NOW
        )

    with pytest.raises(ApiError) as caught:
        await db.run(work)
    assert caught.value.status_code == 404
    with pytest.raises(ApiError):
        await status(db, "HP20241101", "C002")


async def test_an_issued_electronic_invoice_is_resent_and_a_requested_one_is_not(
    db: Database,
) -> None:
    async def resend(order_id: str, email: str) -> Any:
        async def work(session: AsyncSession) -> Any:
            invoice = await invoice_changes.resend_invoice(
                session, order_id, "C001", email, now=NOW
            )
            return invoice.email

        return await db.run(work)

    assert await resend("HP20241101", "zhangwei@qq.com") == "zhangwei@qq.com"
    with pytest.raises(ApiError) as bad:
        await resend("HP20241101", "zhangwei@qq")
    assert bad.value.code == "invalid_email"
    with pytest.raises(ApiError) as early:
        await resend("HP20241104", "zhangwei@qq.com")
    assert early.value.code == "invoice_not_issued" and "还没有开具" in early.value.message


async def test_an_unknown_change_kind_is_refused(db: Database) -> None:
    error = await refused(db, "HP20241101", "receipt", {})
    assert error.status_code == 422 and error.code == "invalid_change_kind"
