"""价保 (price protection) and contacts in the backend client: domain, contract, adapters."""

from zhike.lib.backend_client.price_protection.domain import (
    CourierContact,
    MerchantContact,
    PriceCheck,
    PriceCheckItem,
    PriceProtection,
    PriceProtectionApplication,
)

__all__ = [
    "CourierContact",
    "MerchantContact",
    "PriceCheck",
    "PriceCheckItem",
    "PriceProtection",
    "PriceProtectionApplication",
]
