"""The after-sales and pre-sales capabilities' contracts, combined into one mixin.

Each capability's abstract methods live in its own package (``<capability>/base.py``,
see :mod:`zhike.lib.backend_client.mixins`); :class:`CapabilityMethods` gathers them so
:class:`~zhike.lib.backend_client.base.BackendClient` names one base. A new capability
adds its mixin here.
"""

from __future__ import annotations

import abc

from zhike.lib.backend_client.delivery.base import DeliveryClient
from zhike.lib.backend_client.exchanges.base import ExchangesClient
from zhike.lib.backend_client.invoices.base import InvoiceChangesClient
from zhike.lib.backend_client.presales.base import PresalesClient
from zhike.lib.backend_client.price_protection.base import PriceProtectionMethods
from zhike.lib.backend_client.ticket_notes.base import TicketNotesMethods
from zhike.lib.backend_client.visits.base import VisitsMethods


class CapabilityMethods(
    PresalesClient,
    PriceProtectionMethods,
    VisitsMethods,
    ExchangesClient,
    InvoiceChangesClient,
    DeliveryClient,
    TicketNotesMethods,
    abc.ABC,
):
    """Pre-sales, 价保 and contacts, visits, exchanges, invoice and delivery changes, notes."""
