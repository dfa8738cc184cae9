"""Invoice requests (电子普通发票 / 增值税专用发票) for orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zhike.common.formats import normalize_credit_code, valid_credit_code
from zhike.common.ids import INVOICE_PREFIX
from zhike.servers.backend.errors import ApiError
from zhike.servers.backend.models import Invoice
from zhike.servers.backend.sequences import allocate_id
from zhike.servers.backend.services.common import current_time, customer_order
from zhike.servers.backend.validation import clean_text

ELECTRONIC_NORMAL = "electronic_normal"
VAT_SPECIAL = "vat_special"
INVOICE_TYPES = (ELECTRONIC_NORMAL, VAT_SPECIAL)
# Paid and not cancelled: the money was received and has not been given back in full.
INVOICEABLE = ("paid", "shipped", "delivered", "refunding")
TITLE_MAX = 128


async def request_invoice(
    session: AsyncSession,
    order_id: str,
    customer_id: str,
    title: str,
    invoice_type: str,
    tax_number: str | None = None,
    *,
    now: datetime | None = None,
) -> Invoice:
    """Requests the invoice of an order (one per order; status ``requested``).

    ``tax_number`` (the buyer's unified social credit code) is optional for
    ``electronic_normal`` and required for ``vat_special``; it is upper-cased and must
    carry a valid GB 32100-2015 check character.

    Raises:
        ApiError: 422 ``invalid_invoice_type``, ``invalid_title`` (empty or more than 128
            characters) or ``invalid_tax_number``; 400 malformed id; 404 ``not_found``;
            409 ``invoice_exists`` (one not rejected already exists) or
            ``invoice_not_allowed`` (unpaid, cancelled or refunded order).
    """
    now = current_time(now)
    if invoice_type not in INVOICE_TYPES:
        raise ApiError(422, "invalid_invoice_type", "发票类型应为电子普通发票或增值税专用发票")
    text = clean_text(title, 1, TITLE_MAX)
    if text is None:
        raise ApiError(422, "invalid_title", f"请填写发票抬头（1-{TITLE_MAX} 个字）")
    if tax_number is not None and not isinstance(tax_number, str):
        raise ApiError(422, "invalid_tax_number", "纳税人识别号应为 18 位统一社会信用代码")
    number = normalize_credit_code(tax_number)
    if number is None and invoice_type == VAT_SPECIAL:
        raise ApiError(422, "invalid_tax_number", "增值税专用发票需要填写纳税人识别号")
    if number is not None and not valid_credit_code(number):
        raise ApiError(
            422, "invalid_tax_number", "纳税人识别号应为 18 位统一社会信用代码，请核对后重新输入"
        )
    order = await customer_order(session, order_id, customer_id)
    if any(invoice.status != "rejected" for invoice in order.invoices):
        raise ApiError(409, "invoice_exists", f"订单 {order.id} 已申请过发票")
    if order.status not in INVOICEABLE:
        raise ApiError(409, "invoice_not_allowed", f"订单 {order.id} 未付款或已取消，无法开票")
    invoice = Invoice(
        id=await allocate_id(session, INVOICE_PREFIX),
        order_id=order.id,
        title=text,
        tax_number=number,
        type=invoice_type,
        status="requested",
        created_at=now,
    )
    order.invoices.append(invoice)
    await session.flush()
    return invoice
