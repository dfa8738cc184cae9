"""Invoice change requests (换开): one row per change of an invoice's title, type or medium.

The invoice row holds the current values; each change keeps what it was before and what it
became (JSON objects), so the history of an invoice is never lost.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Text

from zhike.common.times import UTCDateTime, utcnow
from zhike.servers.backend.tables.base import Base

CHANGE_KINDS = ("title", "vat_special", "electronic_normal", "paper", "electronic")
CHANGE_STATUSES = ("processing", "completed")


class InvoiceChange(Base):
    """A change request of an invoice (id ``IC`` + 8 digits); ``kind`` is what changes."""

    __tablename__ = "invoice_changes"
    id = Column(String(16), primary_key=True)
    invoice_id = Column(String(16), ForeignKey("invoices.id"), nullable=False, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    before = Column(Text, nullable=False, default="{}")
    after = Column(Text, nullable=False, default="{}")
    status = Column(String(32), nullable=False, default="processing")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
