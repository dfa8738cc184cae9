"""Invoice changes (换开): title, type (普票/专票), medium (electronic/paper), re-sending.

The rules, each refused with a plain Chinese message:

* an invoice of a cancelled or refunded order is void and cannot change;
* an order without an invoice has nothing to change (the customer may request one);
* one change at a time: while an issued invoice is being re-issued (``reissuing``) it
  cannot change again;
* a title changes once per invoice; a company title needs a valid 18-character unified
  social credit code; a 专票 cannot have a personal title;
* a 专票 (``vat_special``) needs a company title plus the registered address and phone
  and the bank name and account;
* a paper invoice needs a mailing address, a recipient and a mobile phone;
* only an issued electronic invoice can be re-sent, to a well-formed email address.

A change creates an ``IC`` change request that keeps the values before and after; an
issued invoice is then re-issued (status ``reissuing``), a requested one is simply
corrected before it is issued.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.formats import normalize_credit_code, normalize_mobile, valid_credit_code
from zhike.common.ids import INVOICE_CHANGE_PREFIX
from zhike.servers.backend import queries
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Invoice, InvoiceChange, Order
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import (
    current_time,
    customer_id_of,
    customer_order,
    not_found,
    order_id_of,
)
from zhike.servers.backend.services.invoices import ELECTRONIC_NORMAL, TITLE_MAX, VAT_SPECIAL
from zhike.servers.backend.validation import clean_text

PERSONAL = "个人"
PAPER = "paper"
ELECTRONIC = "electronic"
TITLE = "title"
RESEND = "resend"
KINDS = (TITLE, VAT_SPECIAL, ELECTRONIC_NORMAL, PAPER, ELECTRONIC)
CLOSED_ORDERS = {"cancelled": "已取消", "refunded": "已退款"}
REISSUING = "reissuing"
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_RE = re.compile(r"^(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|400-?\d{3}-?\d{4})$")
TYPE_NAMES = {ELECTRONIC_NORMAL: "电子普通发票", VAT_SPECIAL: "增值税专用发票"}
MEDIUM_NAMES = {ELECTRONIC: "电子发票", PAPER: "纸质发票"}


def current_invoice(order: Order) -> Invoice | None:
    """The order's latest invoice that was not rejected, else ``None``."""
    valid = [invoice for invoice in order.invoices if invoice.status != "rejected"]
    return valid[-1] if valid else None


def refusal(order: Order, invoice: Invoice | None, kind: str) -> ApiError | None:
    """Why ``kind`` (a change kind or ``resend``) is not possible now, else ``None``."""
    if order.status in CLOSED_ORDERS:
        closed = CLOSED_ORDERS[order.status]
        return ApiError(
            409, "invoice_not_changeable", f"订单 {order.id} {closed}，发票已作废，无法再修改或重发"
        )
    if invoice is None:
        return ApiError(409, "no_invoice", f"订单 {order.id} 还没有申请发票，可以先申请开票")
    if kind == RESEND:
        if invoice.medium == PAPER:
            return ApiError(409, "paper_invoice", "这张是纸质发票，已按地址邮寄，无法通过邮箱发送")
        if invoice.status != "issued":
            return ApiError(
                409,
                "invoice_not_issued",
                "发票还没有开具完成，暂时无法发送；开具后会自动发送到您的账户「我的发票」",
            )
        return None
    if kind == TITLE and invoice.title_changes >= 1:
        return ApiError(
            409,
            "title_change_used",
            f"每张发票的抬头只能修改一次，这张发票的抬头已经修改过（现在是「{invoice.title}」），"
            "不能再次修改",
        )
    if invoice.status == REISSUING:
        return ApiError(
            409, "change_in_progress", "这张发票正在换开中，请等换开完成（1–3 个工作日）后再修改"
        )
    if kind in TYPE_NAMES and invoice.type == kind:
        return ApiError(409, "same_type", f"这张发票已经是{TYPE_NAMES[kind]}，无需更换")
    if kind == VAT_SPECIAL and not invoice.tax_number:
        return ApiError(
            409,
            "vat_needs_company",
            "增值税专用发票只能开给企业，这张发票的抬头是个人；需要先把抬头改为公司并提供税号",
        )
    if kind in MEDIUM_NAMES and invoice.medium == kind:
        return ApiError(409, "same_medium", f"这张发票已经是{MEDIUM_NAMES[kind]}，无需更换")
    return None


def refusals(order: Order, invoice: Invoice | None) -> dict[str, str | None]:
    """For each change kind and ``resend``: the refusal message, or ``None`` when allowed."""
    result: dict[str, str | None] = {}
    for kind in (*KINDS, RESEND):
        error = refusal(order, invoice, kind)
        result[kind] = None if error is None else error.message
    return result


def snapshot(invoice: Invoice) -> dict[str, Any]:
    """The values a change may touch (kept in the change request's history)."""
    return {
        "title": invoice.title,
        "tax_number": invoice.tax_number,
        "type": invoice.type,
        "medium": invoice.medium,
        "registered_address": invoice.registered_address,
        "registered_phone": invoice.registered_phone,
        "bank_name": invoice.bank_name,
        "bank_account": invoice.bank_account,
        "mail_recipient": invoice.mail_recipient,
        "mail_phone": invoice.mail_phone,
        "mail_address": invoice.mail_address,
    }


def _text(fields: dict[str, Any], name: str, low: int, high: int) -> str | None:
    value = fields.get(name)
    return clean_text(value, low, high) if isinstance(value, str) else None


def _apply_title(invoice: Invoice, fields: dict[str, Any]) -> None:
    title = _text(fields, "title", 1, TITLE_MAX)
    if title is None:
        raise ApiError(422, "invalid_title", f"请填写新的发票抬头（1-{TITLE_MAX} 个字）")
    raw_number = fields.get("tax_number")
    number = normalize_credit_code(raw_number) if isinstance(raw_number, str) else None
    if title == PERSONAL:
        if invoice.type == VAT_SPECIAL:
            raise ApiError(422, "vat_needs_company", "增值税专用发票的抬头必须是公司，不能改为个人")
        number = None
    elif number is None or not valid_credit_code(number):
        raise ApiError(
            422,
            "invalid_tax_number",
            "公司抬头需要填写正确的纳税人识别号（18 位统一社会信用代码），请核对后重新输入",
        )
    if title == invoice.title and number == invoice.tax_number:
        raise ApiError(422, "same_title", "新抬头和现在的抬头一样，无需修改")
    invoice.title, invoice.tax_number = title, number
    invoice.title_changes = (invoice.title_changes or 0) + 1


def _apply_vat(invoice: Invoice, fields: dict[str, Any]) -> None:
    address = _text(fields, "registered_address", 6, 255)
    phone_raw = fields.get("registered_phone")
    phone = re.sub(r"[\s()（）]", "", phone_raw) if isinstance(phone_raw, str) else ""
    bank = _text(fields, "bank_name", 4, 64)
    account_raw = fields.get("bank_account")
    account = re.sub(r"[\s-]", "", account_raw) if isinstance(account_raw, str) else ""
    missing = [
        name
        for name, ok in (
            ("公司注册地址", address is not None),
            ("注册电话", bool(_PHONE_RE.match(phone))),
            ("开户银行", bank is not None),
            ("银行账号", account.isdigit() and 8 <= len(account) <= 30),
        )
        if not ok
    ]
    if missing:
        raise ApiError(
            422,
            "vat_details_missing",
            f"开具增值税专用发票还需要正确的{'、'.join(missing)}",
        )
    invoice.type = VAT_SPECIAL
    invoice.registered_address, invoice.registered_phone = address, phone
    invoice.bank_name, invoice.bank_account = bank, account


def _apply_paper(invoice: Invoice, fields: dict[str, Any]) -> None:
    address = _text(fields, "mail_address", 8, 255)
    recipient = _text(fields, "mail_recipient", 1, 64)
    raw_phone = fields.get("mail_phone")
    phone = normalize_mobile(raw_phone) if isinstance(raw_phone, str) else None
    missing = [
        name
        for name, value in (("邮寄地址", address), ("收件人", recipient), ("手机号", phone))
        if value is None
    ]
    if missing:
        raise ApiError(
            422, "mailing_incomplete", f"纸质发票需要邮寄，还需要正确的{'、'.join(missing)}"
        )
    invoice.medium = PAPER
    invoice.mail_address, invoice.mail_recipient, invoice.mail_phone = address, recipient, phone


def _apply(invoice: Invoice, kind: str, fields: dict[str, Any]) -> None:
    if kind == TITLE:
        _apply_title(invoice, fields)
    elif kind == VAT_SPECIAL:
        _apply_vat(invoice, fields)
    elif kind == ELECTRONIC_NORMAL:
        invoice.type = ELECTRONIC_NORMAL
    elif kind == PAPER:
        _apply_paper(invoice, fields)
    else:
        invoice.medium = ELECTRONIC


async def change_invoice(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    kind: str,
    fields: dict[str, Any],
    *,
    now: datetime | None = None,
) -> InvoiceChange:
    """Changes the order's invoice and records the change request (``IC`` + 8 digits).

    Args:
        session: the write transaction.
        order_id: the order (the customer's own).
        customer_id: the acting customer.
        kind: ``title`` (``title`` + ``tax_number`` for a company), ``vat_special``
            (``registered_address``, ``registered_phone``, ``bank_name``,
            ``bank_account``), ``electronic_normal``, ``paper`` (``mail_address``,
            ``mail_recipient``, ``mail_phone``) or ``electronic``.
        fields: the new values.
        now: the clock.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found``; 409 ``invoice_not_changeable``,
            ``no_invoice``, ``change_in_progress``, ``title_change_used``, ``same_type``,
            ``same_medium``, ``vat_needs_company``; 422 ``invalid_change_kind``,
            ``invalid_title``, ``invalid_tax_number``, ``same_title``,
            ``vat_details_missing``, ``mailing_incomplete``.
    """
    now = current_time(now)
    if kind not in KINDS:
        raise ApiError(422, "invalid_change_kind", "修改类型应为抬头、专票、普票、纸质或电子")
    order = await customer_order(session, order_id, customer_id)
    invoice = current_invoice(order)
    error = refusal(order, invoice, kind)
    if error is not None:
        raise error
    assert invoice is not None
    before = snapshot(invoice)
    _apply(invoice, kind, fields)
    if invoice.status == "issued":
        invoice.status = REISSUING
    change = InvoiceChange(
        id=await allocate_id(session, INVOICE_CHANGE_PREFIX),
        invoice_id=invoice.id,
        order_id=order.id,
        kind=kind,
        before=json.dumps(before, ensure_ascii=False),
        after=json.dumps(snapshot(invoice), ensure_ascii=False),
        status="processing",
        created_at=now,
    )
    session.add(change)
    await session.flush()
    return change


async def resend_invoice(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    email: str,
    *,
    now: datetime | None = None,
) -> Invoice:
    """Sends an issued electronic invoice again, to ``email`` (remembered on the invoice).

    Raises:
        ApiError: 422 ``invalid_email``; 400 malformed id; 404 ``not_found``; 409
            ``invoice_not_changeable``, ``no_invoice``, ``paper_invoice``,
            ``invoice_not_issued``.
    """
    now = current_time(now)
    address = email.strip() if isinstance(email, str) else ""
    if not _EMAIL_RE.match(address):
        raise ApiError(422, "invalid_email", "邮箱格式不正确，请检查后重新输入（例如 name@qq.com）")
    order = await customer_order(session, order_id, customer_id)
    invoice = current_invoice(order)
    error = refusal(order, invoice, RESEND)
    if error is not None:
        raise error
    assert invoice is not None
    invoice.email, invoice.sent_at = address, now
    await session.flush()
    return invoice


async def order_invoices(
    session: AsyncSession, order_id: str, customer_id: str
) -> tuple[Order, Sequence[InvoiceChange]]:
    """The customer's order (with its invoices) and the change requests of its invoices.

    Raises:
        ApiError: 400 malformed id; 404 ``not_found`` (unknown or another customer's).
    """
    oid, cid = order_id_of(order_id), customer_id_of(customer_id)
    order = await queries.get_order(session, oid)
    if order is None or order.customer_id != cid:
        raise not_found(f"未找到您名下的订单 {oid}")
    result = await session.execute(
        select(InvoiceChange)
        .where(InvoiceChange.order_id == oid)
        .order_by(InvoiceChange.created_at, InvoiceChange.id)
    )
    return order, result.scalars().all()
